'use strict';
// The edges of cnet's shortcuts past stream.Duplex (lib/shortcuts.js): a read
// emitted as 'data' directly and a Buffer write sent before Writable sees it.
// Every scenario steps in and out of the conditions the shortcuts check, and
// what a user observes (events, ticks, stream state, return values, bytes)
// must equal built-in net's.
const test = require('node:test');
const assert = require('assert');
const { sameOnBoth, listen, close, once, delay, denoTickOrder } = require('./helpers/modules');

// The client sends `count` 8-byte messages, one per reply, so every message is
// one read on the server whatever the implementation; `onMessage(socket, i, log)`
// runs in the server's 'data' listener and replies itself.
async function lockStep(net, count, onConnection) {
  const log = [];
  const server = net.createServer((socket) => onConnection(socket, log));
  const { port } = await listen(server, 0, '127.0.0.1');
  const client = net.connect(port, '127.0.0.1');
  const replies = [];
  let sent = 0;
  const sendNext = () => {
    if (sent === count) {
      client.end();
      return;
    }
    client.write(`msg-${String(sent).padStart(4, '0')}`);
    sent++;
  };
  client.on('data', (d) => {
    replies.push(d.toString('latin1'));
    sendNext();
  });
  client.on('connect', sendNext);
  await once(client, 'close');
  await close(server);
  return { log, replies: replies.join('') };
}

function state(socket) {
  return {
    length: socket.readableLength,
    flowing: socket.readableFlowing,
    paused: socket.isPaused(),
    didRead: socket.readableDidRead,
  };
}

test("reads: ticks and microtasks run after each 'data' as with the full push path", { skip: denoTickOrder }, async () => {
  await sameOnBoth(async (net) => lockStep(net, 4, (socket, log) => {
    socket.on('data', (d) => {
      log.push(['data', d.toString(), Buffer.isBuffer(d), d.length, state(socket)]);
      process.nextTick(() => log.push(['tick', d.toString()]));
      Promise.resolve().then(() => log.push(['microtask', d.toString()]));
      socket.write('r');
    });
    socket.on('end', () => { log.push(['end', state(socket)]); socket.end(); });
  }));
});

test("reads: pause() in a 'data' listener buffers the next message until resume()", { skip: denoTickOrder }, async () => {
  await sameOnBoth(async (net) => lockStep(net, 6, (socket, log) => {
    let n = 0;
    socket.on('pause', () => log.push(['pause', state(socket)]));
    socket.on('resume', () => log.push(['resume', state(socket)]));
    socket.on('data', (d) => {
      n++;
      log.push(['data', d.toString(), state(socket)]);
      if (n === 2) {
        socket.pause();
        socket.write('r');
        // The next message arrives while paused and must wait in the buffer.
        setTimeout(() => {
          log.push(['before resume', state(socket)]);
          socket.resume();
        }, 50);
        return;
      }
      socket.write('r');
    });
    socket.on('end', () => socket.end());
  }));
});

test("reads: setEncoding() mid-stream turns the following chunks into strings", async () => {
  await sameOnBoth(async (net) => lockStep(net, 4, (socket, log) => {
    let n = 0;
    socket.on('data', (d) => {
      n++;
      log.push(['data', typeof d, String(d), state(socket)]);
      if (n === 2) socket.setEncoding('hex');
      socket.write('r');
    });
    socket.on('end', () => socket.end());
  }));
});

test("reads: with 'data' listeners removed and a 'readable' listener added, read() returns the bytes", async () => {
  await sameOnBoth(async (net) => lockStep(net, 5, (socket, log) => {
    let n = 0;
    const onData = (d) => {
      n++;
      log.push(['data', d.toString(), state(socket)]);
      if (n === 2) {
        socket.removeListener('data', onData);
        socket.on('readable', () => {
          let chunk;
          while ((chunk = socket.read()) !== null) {
            log.push(['read', chunk.toString(), state(socket)]);
            socket.write('r');
          }
        });
      }
      socket.write('r');
    };
    socket.on('data', onData);
    socket.on('end', () => { log.push(['end']); socket.end(); });
  }));
});

test('reads: pipe() into a slow writable pauses the source and every byte arrives', async () => {
  await sameOnBoth(async (net) => {
    const { Writable } = require('stream');
    const server = net.createServer((socket) => {
      const payload = Buffer.alloc(512 * 1024, 7);
      socket.end(payload);
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    let bytes = 0;
    let pausedSeen = false;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, encoding, cb) {
        bytes += chunk.length;
        if (client.isPaused()) pausedSeen = true;
        setImmediate(cb);
      },
    });
    client.pipe(slow);
    await once(slow, 'finish');
    await once(client, 'close');
    await close(server);
    return { bytes, pausedSeen };
  });
});

test('writes: return values, writableLength, callbacks and finish around the direct path', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    let received = 0;
    const server = net.createServer((socket) => {
      socket.on('data', (d) => { received += d.length; });
      socket.on('end', () => socket.end());
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    const hwm = client.writableHighWaterMark;
    const at = (label, ret) => log.push([label, ret, client.writableLength, client.writableNeedDrain,
      client.bytesWritten]);
    for (const event of ['drain', 'finish', 'prefinish']) client.on(event, () => log.push([event]));

    at('small', client.write(Buffer.alloc(100, 1)));
    at('small with callback', client.write(Buffer.alloc(100, 2), () => log.push(['callback 2'])));
    at('below hwm', client.write(Buffer.alloc(hwm - 1, 3)));
    at('at hwm', client.write(Buffer.alloc(hwm, 4)));
    at('after it', client.write(Buffer.alloc(10, 5)));
    process.nextTick(() => log.push(['tick after writes']));
    await delay(5);
    at('Uint8Array', client.write(new Uint8Array(50)));
    at('string', client.write('text'));
    at('encoding argument', client.write(Buffer.alloc(10, 6), 'latin1'));
    try {
      at('unknown encoding', client.write(Buffer.alloc(10, 6), 'no-such-encoding'));
    } catch (err) {
      log.push(['unknown encoding throws', err.code, err.message]);
    }
    client.cork();
    at('corked', client.write(Buffer.alloc(10, 7)));
    at('corked 2', client.write(Buffer.alloc(10, 8)));
    process.nextTick(() => client.uncork());
    await delay(5);
    at('after uncork', client.write(Buffer.alloc(10, 9)));
    client.end(Buffer.alloc(10, 10));
    let afterEnd;
    client.on('error', (err) => log.push(['error', err.code]));
    try {
      afterEnd = client.write(Buffer.alloc(10, 11));
    } catch (err) {
      afterEnd = err.code;
    }
    log.push(['write after end', afterEnd]);
    await once(client, 'close');
    await close(server);
    return { log, received, bytesWritten: client.bytesWritten };
  });
});

test('writes: the timeout is pushed back by direct writes as by queued ones', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((socket) => socket.on('end', () => socket.end()).resume());
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    let timeouts = 0;
    client.setTimeout(150, () => { timeouts++; });
    // Written every 20 ms for 200 ms: the 150 ms idle timeout never fires.
    for (let i = 0; i < 10; i++) {
      client.write(Buffer.from('x'));
      await delay(20);
    }
    const duringWrites = timeouts;
    await delay(300);
    client.end();
    await once(client, 'close');
    await close(server);
    return { duringWrites, afterIdle: timeouts > 0 };
  });
});

test('writes: a write the kernel takes only part of is queued; later writes wait behind it and drain follows', async () => {
  await sameOnBoth(async (net) => {
    let serverSocket;
    let received = 0;
    const server = net.createServer({ pauseOnConnect: true }, (socket) => {
      serverSocket = socket;
      socket.on('data', (d) => { received += d.length; });
      socket.on('end', () => socket.end());
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    while (!serverSocket) await delay(1);
    // 1000-byte chunks: at some point the kernel's buffer fills up mid-chunk.
    let total = 0;
    let ret = true;
    let i = 0;
    while (ret) {
      const chunk = Buffer.alloc(1000, i++ % 251);
      ret = client.write(chunk);
      total += chunk.length;
    }
    const atFalse = { needDrain: client.writableNeedDrain, queued: client.writableLength > 0 };
    const drained = once(client, 'drain');
    serverSocket.resume();
    await drained;
    const afterDrain = client.write(Buffer.alloc(10, 1));
    total += 10;
    client.end();
    await once(client, 'close');
    await close(server);
    return { atFalse, afterDrain, allArrived: received === total, bytesWritten: client.bytesWritten === total };
  });
});

test('writes: strings in the default, explicit and changed default encodings arrive as the same bytes', async () => {
  await sameOnBoth(async (net) => {
    const chunks = [];
    const server = net.createServer((socket) => {
      socket.on('data', (d) => chunks.push(d));
      socket.on('end', () => socket.end());
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    const counts = [];
    const at = (label, ret) => counts.push([label, ret, client.bytesWritten, client.writableLength]);
    at('ascii', client.write('plain ascii'));
    at('multi-byte', client.write('żółć ∑ 😀'));
    at('explicit utf-8', client.write('naïve', 'utf-8'));
    at('hex', client.write('cafe', 'hex'));
    at('empty', client.write(''));
    at('at hwm', client.write('x'.repeat(client.writableHighWaterMark)));
    client.setDefaultEncoding('latin1');
    at('latin1 default', client.write('été'));
    client.setDefaultEncoding('utf8');
    at('utf8 again', client.write('été'));
    client.end();
    await once(client, 'close');
    await close(server);
    return { counts, received: Buffer.concat(chunks).toString('hex') };
  });
});

// The shortcuts read stream-state fields that are not public API; where a
// runtime lacks one they turn themselves off. On every runtime tested here
// they must be on, or the numbers in the benchmark would not be cnet's.
test('the stream-state fields the shortcuts rely on exist on this runtime', () => {
  assert.strictEqual(require('../lib/shortcuts').available, true);
});
