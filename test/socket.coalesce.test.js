'use strict';
// Write coalescing (src/coalesce.h): small writes made while JS runs leave in
// one write(2), yet what a user observes must equal built-in net's: write()'s
// return value, callbacks, 'drain', writableLength, bytesWritten, ordering with
// end() and destroy(), every byte write() accepted reaching the peer, and the
// error/close sequence when the peer is gone.
const test = require('node:test');
const crypto = require('crypto');
const path = require('path');
const { spawn } = require('child_process');
const { sameOnBoth, listen, close, once, delay, errorShape } = require('./helpers/modules');

function writeState(socket) {
  return { length: socket.writableLength, bytesWritten: socket.bytesWritten, needDrain: socket.writableNeedDrain };
}

// The bytes a peer received: short ones as they are, long ones by length and digest.
function shown(bytes) {
  if (bytes.length <= 4096) return bytes.toString('latin1');
  return { length: bytes.length, sha1: crypto.createHash('sha1').update(bytes).digest('hex') };
}

// A server whose connection is handed to `serve(socket, log)` once the client
// has sent "go"; the client collects every byte until both sockets have closed.
async function served(net, serve) {
  const log = [];
  let serverClosed;
  const server = net.createServer((socket) => {
    socket.on('error', (err) => log.push(['server error', errorShape(err)]));
    serverClosed = once(socket, 'close');
    socket.on('close', (hadError) => log.push(['server close', hadError]));
    socket.once('data', () => serve(socket, log));
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  const client = net.connect(port, '127.0.0.1', () => client.write('go'));
  const chunks = [];
  client.on('data', (d) => chunks.push(d));
  client.on('error', () => {});
  await once(client, 'close');
  await serverClosed;
  await close(server);
  return { log, received: shown(Buffer.concat(chunks)) };
}

function numbered(i) {
  return `<${String(i).padStart(4, '0')}>`;
}

test('many small writes in one handler then end(): every byte in order, same return values and counters', async () => {
  await sameOnBoth((net) => served(net, (socket, log) => {
    for (let i = 0; i < 300; i++) {
      const ok = i % 2 ? socket.write(numbered(i)) : socket.write(Buffer.from(numbered(i)));
      if (i % 50 === 0) log.push(['write', i, ok, writeState(socket)]);
    }
    socket.on('finish', () => log.push(['finish', writeState(socket)]));
    socket.end('last');
    log.push(['after end', writeState(socket)]);
  }));
});

test('destroy() right after small writes: the peer gets every byte write() accepted', async () => {
  await sameOnBoth((net) => served(net, (socket, log) => {
    for (let i = 0; i < 100; i++) socket.write(numbered(i));
    log.push(['before destroy', writeState(socket)]);
    socket.destroy();
  }));
});

test('destroy() in a timer after writes from that timer: the peer gets every byte', async () => {
  await sameOnBoth((net) => served(net, (socket) => {
    setTimeout(() => {
      for (let i = 0; i < 20; i++) socket.write(numbered(i));
      socket.destroy();
    }, 1);
  }));
});

test('write callbacks and drain keep their order among coalesced writes', async () => {
  await sameOnBoth((net) => served(net, (socket, log) => {
    // More than the kernel takes at once, so the big write waits and 'drain' follows.
    const big = Buffer.alloc(32 * 1024 * 1024, 'x');
    socket.on('drain', () => log.push(['drain', writeState(socket)]));
    log.push(['plain', socket.write('a')]);
    log.push(['with callback', socket.write('b', () => log.push(['cb b']))]);
    log.push(['plain', socket.write('c'), writeState(socket)]);
    log.push(['big', socket.write(big, () => log.push(['cb big', writeState(socket)]))]);
    log.push(['plain after big', socket.write('d'), socket.writableLength > 0, socket.bytesWritten]);
    socket.once('drain', () => socket.end('e'));
  }));
});

test('writes from timers, immediates, promises and microtasks leave in order', async () => {
  await sameOnBoth((net) => served(net, (socket, log) => {
    setTimeout(() => {
      log.push(['timer', socket.write('t1'), socket.write('t2'), writeState(socket)]);
      Promise.resolve().then(() => socket.write('p1'));
      queueMicrotask(() => socket.write('m1'));
      setImmediate(() => {
        socket.write('i1');
        socket.write('i2');
        setTimeout(() => {
          log.push(['last timer', writeState(socket)]);
          socket.end('z');
        }, 5);
      });
    }, 1);
  }));
});

test('cork()/uncork() around small writes keeps the byte order', async () => {
  await sameOnBoth((net) => served(net, (socket, log) => {
    socket.write('1');
    socket.cork();
    socket.write('2');
    socket.write('3');
    log.push(['corked', writeState(socket)]);
    socket.write('4');
    socket.uncork();
    log.push(['uncorked', writeState(socket)]);
    socket.write('5');
    process.nextTick(() => {
      socket.cork();
      socket.write('6');
      process.nextTick(() => socket.uncork());
      socket.end('7');
    });
  }));
});

test('writes from the main script part of a promise chain reach the peer before end()', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer();
    const { port } = await listen(server, 0, '127.0.0.1');
    const accepted = once(server, 'connection');
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    const [peer] = await accepted;
    const chunks = [];
    peer.on('data', (d) => chunks.push(d));
    const log = [];
    for (let i = 0; i < 10; i++) log.push(client.write(numbered(i)));
    log.push(writeState(client));
    client.end();
    await once(peer, 'end');
    peer.end();
    await once(client, 'close');
    await close(server);
    return { log, received: Buffer.concat(chunks).toString('latin1') };
  });
});

// The server socket never reads (pauseOnConnect), so the reset is first seen by
// a write: the first write of a turn goes to the socket at once with cnet too,
// so it fails as built-in net's does and later writes see a failed stream.
test('writes after the peer reset the connection: same error and close as built-in net', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const server = net.createServer({ pauseOnConnect: true });
    const { port } = await listen(server, 0, '127.0.0.1');
    const accepted = once(server, 'connection');
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    const [peer] = await accepted;
    peer.on('error', (err) => log.push(['error', err.code, err.syscall, peer.destroyed]));
    const closed = once(peer, 'close');
    peer.on('close', (hadError) => log.push(['close', hadError]));
    client.resetAndDestroy();
    await once(client, 'close');
    await delay(50);
    setTimeout(() => {
      log.push(['write', peer.write('after reset'), peer.destroyed]);
      log.push(['write again', peer.write('and again'), peer.destroyed]);
    }, 1);
    await closed;
    await close(server);
    return log;
  });
});

// A reset that arrives after the turn's first write: built-in net's next
// write(2) fails at once and that write() returns false; cnet's joins the
// batch (write() returns true) and the batch's failure follows. What comes
// after is the same: one 'error' from the write, then 'close'.
test('a peer reset between writes of one turn: same error and close as built-in net', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const server = net.createServer({ pauseOnConnect: true });
    const { port } = await listen(server, 0, '127.0.0.1');
    const accepted = once(server, 'connection');
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    const [peer] = await accepted;
    peer.on('error', (err) => log.push(['error', err.code, err.syscall]));
    const closed = once(peer, 'close');
    peer.on('close', (hadError) => log.push(['close', hadError]));
    client.on('error', () => {});
    setTimeout(() => {
      log.push(['first write', peer.write('before reset')]);
      client.resetAndDestroy();
      peer.write('after reset');
      peer.write('and again');
    }, 1);
    await closed;
    await close(server);
    return log;
  });
});

// process.exit() ends the process without tearing the environment down; bytes
// write() accepted before it must still reach the peer, as with built-in net.
const exitSources = {
  'in the connect callback': `
    const s = net.connect(port, '127.0.0.1', () => {
      for (let i = 0; i < 10; i++) s.write('line' + i + ';');
      process.exit(0);
    });`,
  'in a timer': `
    const s = net.connect(port, '127.0.0.1', () => setTimeout(() => {
      for (let i = 0; i < 10; i++) s.write(Buffer.from('line' + i + ';'));
      process.exit(0);
    }, 5));`,
};
for (const [where, body] of Object.entries(exitSources)) {
  test(`writes ${where} then process.exit(): the peer gets every byte`, async () => {
    await sameOnBoth(async (net, name) => {
      const server = net.createServer();
      const { port } = await listen(server, 0, '127.0.0.1');
      const received = new Promise((resolve) => server.once('connection', (socket) => {
        let text = '';
        socket.setEncoding('latin1');
        socket.on('data', (d) => { text += d; });
        socket.on('error', () => {});
        socket.on('close', () => resolve(text));
      }));
      const impl = name === 'net' ? 'net' : path.join(__dirname, '..', 'lib', 'net.js');
      const source = `const net = require(${JSON.stringify(impl)}); const port = ${port};${body}`;
      const child = spawn(process.execPath, ['-e', source], { stdio: 'ignore', timeout: 20000, killSignal: 'SIGKILL' });
      const [code] = await once(child, 'close');
      const text = await received;
      await close(server);
      return { code, text };
    });
  });
}
