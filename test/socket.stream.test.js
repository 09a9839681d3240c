'use strict';
// A socket is a stream.Duplex: piping, pipeline, async iteration, decoding, corking, backpressure,
// pause/resume, end() callbacks and half-open behave as with built-in net. Every scenario uses the
// implementation under test on both ends (server and client), over TCP loopback and Unix sockets.
const test = require('node:test');
const assert = require('assert');
const stream = require('stream');
const { sameOnBoth, listen, close, once, pipePath, delay, describe, denoTickOrder, pattern, sha } =
  require('./helpers/modules');

const transports = ['tcp', 'unix'];


// Starts a server of `net` on loopback or a fresh Unix socket path; returns { server, target }
// where target is what net.connect() takes.
async function serve(net, transport, options, onConnection) {
  const server = net.createServer(options, onConnection);
  if (transport === 'unix') {
    const path = pipePath('stream');
    await listen(server, path);
    return { server, target: { path } };
  }
  const { port } = await listen(server, 0, '127.0.0.1');
  return { server, target: { host: '127.0.0.1', port } };
}

// Logs a stream's events in order; consecutive 'data' events are collapsed into one entry, since how
// the bytes are split into chunks is up to the kernel.
function track(log, label, emitter, events = ['connect', 'data', 'end', 'finish', 'error', 'close']) {
  for (const event of events) {
    emitter.on(event, (...a) => {
      if (event === 'data') {
        if (log[log.length - 1] !== `${label}:data`) log.push(`${label}:data`);
        return;
      }
      const shown = a.map(describe).filter((x) => x !== '');
      log.push(`${label}:${event}${shown.length ? `(${shown.join(',')})` : ''}`);
    });
  }
}

// Resolves on the socket's 'close' event (register it when the socket is created: `socket.closed` turns
// true before 'close' is emitted).
const closed = (socket) => new Promise((resolve) => socket.once('close', resolve));


function collect(socket) {
  const chunks = [];
  socket.on('data', (d) => chunks.push(typeof d === 'string' ? Buffer.from(d) : d));
  return () => Buffer.concat(chunks);
}

for (const transport of transports) {
  test(`pipe(): a proxy server pipes each connection to an upstream client both ways (${transport})`,
    { timeout: 30000 }, async () => { await sameOnBoth(async (net) => {
      const log = { client: [], proxyIn: [], proxyOut: [], origin: [] };
      const closes = [];
      // Origin: echoes with socket.pipe(socket), so its end follows the end it receives. The origin and
      // both proxy legs allow half-open connections, so each FIN is forwarded after the data before it.
      const origin = await serve(net, transport, { allowHalfOpen: true }, (s) => {
        closes.push(closed(s));
        track(log.origin, 'origin', s, ['end', 'finish', 'close']);
        s.pipe(s);
      });
      const proxy = await serve(net, transport, { allowHalfOpen: true }, (inbound) => {
        closes.push(closed(inbound));
        track(log.proxyIn, 'in', inbound, ['end', 'finish', 'close']);
        const outbound = net.connect({ ...origin.target, allowHalfOpen: true });
        closes.push(closed(outbound));
        track(log.proxyOut, 'out', outbound, ['connect', 'end', 'finish', 'close']);
        inbound.pipe(outbound);
        outbound.pipe(inbound);
      });
      const payload = pattern(512 * 1024, 7);
      const client = net.connect(proxy.target);
      closes.push(closed(client));
      // Not 'data': whether the first echoed bytes come before the client's own 'finish' is a race.
      track(log.client, 'client', client, ['connect', 'end', 'finish', 'error', 'close']);
      const received = collect(client);
      client.end(payload);
      await closes[closes.length - 1];
      // By the time the client closed, the proxy and the origin had each accepted their connection.
      assert.strictEqual(closes.length, 4);
      await Promise.all(closes);
      await close(proxy.server);
      await close(origin.server);
      return { log, bytes: received().length, intact: sha(received()) === sha(payload) };
    }); });
}

test('stream.pipeline(socket, Transform, socket) on the server, pipeline(Readable, socket) on the client',
  { timeout: 30000, skip: denoTickOrder }, async () => { await sameOnBoth(async (net) => {
    const log = [];
    let serverPipeline;
    const { server, target } = await serve(net, 'tcp', {}, (socket) => {
      const upper = new stream.Transform({
        transform(chunk, encoding, cb) { cb(null, chunk.toString('latin1').toUpperCase()); },
        flush(cb) { cb(null, '<EOF>'); },
      });
      stream.pipeline(socket, upper, socket, (err) => {
        serverPipeline = err ? describe(err) : 'ok';
      });
    });
    let serverClosed;
    server.on('connection', (socket) => { serverClosed = closed(socket); });
    const client = net.connect(target);
    const clientClosed = closed(client);
    track(log, 'client', client);
    const received = collect(client);
    const parts = ['alpha ', 'beta ', 'gamma ', 'x'.repeat(100000)];
    const clientPipeline = await new Promise((resolve) => {
      stream.pipeline(stream.Readable.from(parts), client, (err) => resolve(err ? describe(err) : 'ok'));
    });
    await clientClosed;
    await serverClosed;
    await close(server);
    return {
      log,
      clientPipeline,
      serverPipeline,
      received: sha(received()) === sha(Buffer.from(parts.join('').toUpperCase() + '<EOF>')),
      length: received().length,
    };
  }); });

test('stream.pipeline rejects with the socket error when the upstream peer is refused', { timeout: 30000 },
  async () => { await sameOnBoth(async (net) => {
    // A port with nothing behind it: listen, note the port, close.
    const probe = net.createServer();
    const { port } = await listen(probe, 0, '127.0.0.1');
    await close(probe);
    const socket = net.connect(port, '127.0.0.1');
    const sink = new stream.Writable({ write(c, e, cb) { cb(); } });
    const err = await stream.promises.pipeline(socket, sink).then(() => null, (e) => e);
    return { err: err && { code: err.code, syscall: err.syscall, message: err.message.replace(String(port), 'PORT') } };
  }); });

for (const transport of transports) {
  test(`for await over a socket yields every chunk then ends; break destroys it (${transport})`,
    { timeout: 30000, skip: denoTickOrder }, async () => { await sameOnBoth(async (net) => {
      const serverLog = [[], []];
      const serverClosed = [];
      let connections = 0;
      const { server, target } = await serve(net, transport, {}, async (socket) => {
        const n = ++connections;
        serverClosed.push(closed(socket));
        track(serverLog[n - 1], `s${n}`, socket, ['end', 'error', 'close']);
        socket.on('error', () => {});
        socket.write('one,');
        // The second client breaks out after its first chunk: writing to it
        // later would race its close (EPIPE or not, on net and cnet alike).
        if (n === 2) return;
        await delay(5);
        socket.write('two,');
        await delay(5);
        socket.end('three');
      });

      // Full iteration.
      const a = net.connect(target);
      const aClosed = closed(a);
      let text = '';
      let chunks = 0;
      for await (const chunk of a) {
        assert.ok(Buffer.isBuffer(chunk));
        text += chunk;
        chunks++;
      }
      const afterLoop = { destroyed: a.destroyed, readableEnded: a.readableEnded };
      await aClosed;

      // Breaking out after the first chunk destroys the socket; the server sees it go away.
      const b = net.connect(target);
      const bClosed = closed(b);
      let first = null;
      for await (const chunk of b) {
        first = chunk.toString();
        break;
      }
      const afterBreak = { destroyed: b.destroyed };
      await bClosed;
      while (serverClosed.length < 2) await delay(5);
      await Promise.all(serverClosed);
      await close(server);
      return { text, sawChunks: chunks >= 1, afterLoop, first: first.startsWith('one,'), afterBreak, serverLog };
    }); });
}

test('setEncoding("utf8") decodes multi-byte characters split across writes', { timeout: 30000 },
  async () => { await sameOnBoth(async (net) => {
    const text = 'aé€😀ü中文—𝄞z'.repeat(3);
    const bytes = Buffer.from(text, 'utf8');
    // Cut points at every byte: each multi-byte character is split between two writes.
    const { server, target } = await serve(net, 'tcp', {}, async (socket) => {
      socket.setNoDelay(true);
      for (let i = 0; i < bytes.length; i += 3) {
        socket.write(bytes.subarray(i, Math.min(i + 3, bytes.length)));
        await delay(2);
      }
      socket.end();
    });
    const client = net.connect(target);
    const clientClosed = closed(client);
    const returned = client.setEncoding('utf8');
    const chunks = [];
    client.on('data', (d) => chunks.push(d));
    await clientClosed;
    await close(server);
    return {
      returnsSocket: returned === client,
      readableEncoding: client.readableEncoding,
      allStrings: chunks.every((c) => typeof c === 'string'),
      noReplacement: chunks.every((c) => !c.includes('\uFFFD')),
      text: chunks.join(''),
      same: chunks.join('') === text,
    };
  }); });

test('cork()/uncork() coalesce writes into one delivery; callbacks run after uncork, in order',
  { timeout: 30000 }, async () => { await sameOnBoth(async (net) => {
    const order = [];
    let firstData = null;
    let resolveFirst;
    const gotFirst = new Promise((r) => { resolveFirst = r; });
    const { server, target } = await serve(net, 'tcp', {}, (socket) => {
      socket.once('data', (d) => {
        firstData = d.toString();
        resolveFirst();
      });
      socket.on('end', () => socket.end());
    });
    const client = net.connect(target);
    await once(client, 'connect');
    client.cork();
    client.cork();
    const corked = client.writableCorked;
    const ret = [
      client.write('alpha-', () => order.push('cb1')),
      client.write(Buffer.from('beta-'), () => order.push('cb2')),
      client.write('gamma', 'latin1', () => order.push('cb3')),
    ];
    const buffered = client.writableLength;
    await delay(20);
    order.push('uncork1');
    client.uncork();
    const stillCorked = client.writableCorked;
    await delay(20);
    order.push('uncork2');
    client.uncork();
    await gotFirst;
    const bytesWritten = client.bytesWritten;
    client.end();
    await once(client, 'close');
    await close(server);
    return { order, corked, stillCorked, ret, buffered, firstData, bytesWritten };
  }); });

test('write() returns false at highWaterMark, then "drain" once the buffer is flushed', { timeout: 30000 },
  async () => { await sameOnBoth(async (net) => {
    const log = [];
    // The server does not read until told: the kernel buffers fill and writes stay queued.
    let serverSocket;
    let serverBytes = 0;
    const serverEnded = [];
    const { server, target } = await serve(net, 'tcp', { pauseOnConnect: true }, (socket) => {
      serverSocket = socket;
      socket.on('data', (d) => { serverBytes += d.length; });
      socket.on('end', () => { serverEnded.push(serverBytes); socket.end(); });
    });
    const client = net.connect(target);
    await once(client, 'connect');
    while (!serverSocket) await delay(1);

    // Writes the kernel takes at once complete synchronously and write() returns true; once the
    // paused peer's buffers are full, writes queue in the socket and write() returns false as soon as
    // highWaterMark bytes are queued.
    const hwm = client.writableHighWaterMark;
    let total = 0;
    let writes = 0;
    let ret = true;
    const chunk = Buffer.alloc(4096, 2);
    while (ret && total < 256 * 1024 * 1024) {
      ret = client.write(chunk);
      total += chunk.length;
      writes++;
    }
    const atFalse = { ret, needDrain: client.writableNeedDrain, queuedAtLeastHwm: client.writableLength >= hwm };
    let drained = false;
    client.once('drain', () => { drained = true; log.push('drain after small writes'); });
    await delay(20);
    log.push(`drained while the server is paused: ${drained}`);
    serverSocket.resume();
    while (!drained) await delay(2);
    client.end();
    await once(client, 'close');
    await close(server);
    return {
      log,
      hwm,
      sawTrueFirst: writes > 1,
      atFalse,
      serverGotAll: serverEnded[0] === total,
      bytesWritten: client.bytesWritten === total,
    };
  }); });

for (const transport of transports) {
  test(`1 MiB each way arrives whole through pause()/resume() on every chunk (${transport})`,
    { timeout: 60000 }, async () => { await sameOnBoth(async (net) => {
      const toClient = pattern(1024 * 1024, 3);
      const toServer = pattern(1024 * 1024, 5);
      const violations = [];
      const pausing = (socket, label) => {
        const chunks = [];
        socket.on('data', (d) => {
          if (socket.isPaused()) violations.push(`${label}: data while paused`);
          chunks.push(d);
          socket.pause();
          if (!socket.isPaused()) violations.push(`${label}: pause() did not pause`);
          setImmediate(() => socket.resume());
        });
        return () => Buffer.concat(chunks);
      };
      let serverGot;
      let serverEnded;
      const serverDone = new Promise((resolve) => { serverEnded = resolve; });
      const { server, target } = await serve(net, transport, {}, (socket) => {
        const got = pausing(socket, 'server');
        socket.on('end', () => { serverGot = got(); serverEnded(); });
        socket.end(toClient);
      });
      const client = net.connect(target);
      const clientClosed = closed(client);
      const clientGot = pausing(client, 'client');
      client.end(toServer);
      await once(client, 'end');
      await serverDone;
      await clientClosed;
      await close(server);
      return {
        violations,
        client: { bytes: clientGot().length, intact: sha(clientGot()) === sha(toClient) },
        server: { bytes: serverGot.length, intact: sha(serverGot) === sha(toServer) },
        bytesRead: client.bytesRead,
        bytesWritten: client.bytesWritten,
      };
    }); });
}

test('end(data, cb): write callback, end callback, finish, then the reply, end and close', { timeout: 30000 },
  async () => { await sameOnBoth(async (net) => {
    const log = { a: [], b: [] };
    const serverLog = [];
    const serverClosed = [];
    const { server, target } = await serve(net, 'tcp', {}, (socket) => {
      const got = collect(socket);
      const mine = [];
      serverLog.push(mine);
      serverClosed.push(closed(socket));
      track(mine, 'server', socket, ['end', 'finish', 'close']);
      socket.on('end', () => socket.end(`got ${got().toString()}`));
    });

    // After connect.
    const a = net.connect(target);
    const aClosed = closed(a);
    await once(a, 'connect');
    track(log.a, 'a', a, ['data', 'end', 'finish', 'close']);
    const replyA = collect(a);
    a.write('first;', (err) => log.a.push(`a:write-cb(${describe(err)})`));
    const r = a.end('last', (err) => log.a.push(`a:end-cb(${describe(err)})`));
    log.a.push(`a:end returned the socket: ${r === a}`);
    await aClosed;

    // While still connecting: the data and the FIN wait for the connection.
    const b = net.connect(target);
    const bClosed = closed(b);
    track(log.b, 'b', b, ['connect', 'data', 'end', 'finish', 'close']);
    const replyB = collect(b);
    b.end('early', (err) => log.b.push(`b:end-cb(${describe(err)})`));
    log.b.push(`b:pending ${b.pending}, readyState ${b.readyState}`);
    await bClosed;
    await Promise.all(serverClosed);
    await close(server);
    return { log, serverLog, replyA: replyA().toString(), replyB: replyB().toString() };
  }); });

for (const transport of transports) {
  test(`allowHalfOpen: the server half-closes first and the client keeps writing (${transport})`,
    { timeout: 30000 }, async () => { await sameOnBoth(async (net) => {
      const log = { client: [], server: [] };
      let serverClosed;
      const serverGot = [];
      const { server, target } = await serve(net, transport, { allowHalfOpen: true }, (socket) => {
        serverClosed = closed(socket);
        track(log.server, 'server', socket, ['end', 'finish', 'close']);
        socket.on('data', (d) => serverGot.push(d.toString()));
        socket.end('server-bye');
        socket.on('finish', () => log.server.push(`server after own end: ${socket.readyState}`));
        socket.on('end', () => log.server.push(`server after peer end: ${socket.readyState}`));
      });
      const client = net.connect({ ...target, allowHalfOpen: true });
      const clientClosed = closed(client);
      track(log.client, 'client', client, ['connect', 'data', 'end', 'finish', 'close']);
      const got = collect(client);
      client.on('end', () => {
        log.client.push(`client after peer end: ${client.readyState} writable ${client.writable}`);
        setImmediate(() => {
          client.write('late-1,', () => log.client.push('client:write-cb'));
          client.end('late-2', () => log.client.push('client:end-cb'));
        });
      });
      await clientClosed;
      await serverClosed;
      await close(server);
      return { log, clientGot: got().toString(), serverGot: serverGot.join('') };
    }); });

  test(`allowHalfOpen: the client half-closes first and the server answers after it (${transport})`,
    { timeout: 30000 }, async () => { await sameOnBoth(async (net) => {
      const log = { client: [], server: [] };
      let serverClosed;
      const { server, target } = await serve(net, transport, { allowHalfOpen: true }, (socket) => {
        serverClosed = closed(socket);
        const got = collect(socket);
        track(log.server, 'server', socket, ['end', 'finish', 'close']);
        socket.on('end', () => {
          log.server.push(`server after peer end: ${socket.readyState}`);
          setTimeout(() => {
            socket.write(`answer to ${got().toString()}`);
            socket.end();
          }, 10);
        });
      });
      const client = net.connect({ ...target, allowHalfOpen: true });
      const clientClosed = closed(client);
      track(log.client, 'client', client, ['connect', 'data', 'end', 'finish', 'close']);
      const got = collect(client);
      client.end('question');
      client.on('finish', () => log.client.push(`client after own end: ${client.readyState}`));
      await clientClosed;
      await serverClosed;
      await close(server);
      return { log, clientGot: got().toString() };
    }); });
}

// On Bun the private loop may complete the shutdown after the handler's setImmediate
// rather than before it, so which of the two EPIPE paths is taken varies there.
const bunShutdownTiming = Boolean(process.versions.bun) &&
  "Bun's loop orders shutdown completion and setImmediate differently from run to run";

test('without allowHalfOpen a write after the peer ended fails with EPIPE', { timeout: 30000, skip: bunShutdownTiming || denoTickOrder },
  async () => { await sameOnBoth(async (net) => {
    const log = { client: [], server: [] };
    let serverSocket;
    let serverClosed;
    const { server, target } = await serve(net, 'tcp', {}, (socket) => {
      serverSocket = socket;
      serverClosed = closed(socket);
      track(log.server, 'server', socket, ['end', 'finish', 'error', 'close']);
      socket.resume();
      socket.on('end', () => {
        // Still inside 'end': the socket has not ended its own side yet, so this write goes through.
        const inEnd = socket.write('in-end;', (err) => log.server.push(`server:write-cb-1(${describe(err)})`));
        log.server.push(`server:write in end returned ${inEnd}`);
        setImmediate(() => {
          const late = socket.write('too late', (err) => log.server.push(`server:write-cb-2(${describe(err)})`));
          log.server.push(`server:write after end returned ${late}`);
        });
      });
    });
    const client = net.connect(target);
    const clientClosed = closed(client);
    track(log.client, 'client', client, ['connect', 'end', 'finish', 'close']);
    const got = collect(client);
    client.end('bye');
    await clientClosed;
    await serverClosed;
    await close(server);
    const err = serverSocket.errored;
    return { log, clientGot: got().toString(), err: err && { code: err.code, message: err.message } };
  }); });

test('write() with hex, base64, latin1, utf16le and utf8 strings, plain and corked (writev); bytesWritten',
  { timeout: 30000 }, async () => { await sameOnBoth(async (net) => {
    let serverClosed;
    const serverGot = [];
    const { server, target } = await serve(net, 'tcp', {}, (socket) => {
      serverClosed = closed(socket);
      const got = collect(socket);
      socket.on('end', () => serverGot.push(got().toString('hex')));
    });
    const client = net.connect(target);
    const clientClosed = closed(client);
    const writes = [['cafe', 'hex'], ['aGVsbG8=', 'base64'], ['ÿé', 'latin1'], ['hé', 'utf16le'], ['€😀', 'utf8']];
    const counts = [];
    // Before the connection is up (queued), then plain, then corked together.
    for (const [s, e] of writes) client.write(s, e);
    counts.push(client.bytesWritten);
    await once(client, 'connect');
    for (const [s, e] of writes) client.write(s, e);
    counts.push(client.bytesWritten);
    client.cork();
    for (const [s, e] of writes) client.write(s, e);
    counts.push(client.bytesWritten);
    client.uncork();
    client.end(Buffer.from([0, 255]));
    await clientClosed;
    await serverClosed;
    counts.push(client.bytesWritten);
    await close(server);
    return { counts, serverGot };
  }); });

test("paused mode: 'readable' and read(n) return exactly the bytes asked for, null when short, then 'end'",
  { timeout: 30000 }, async () => { await sameOnBoth(async (net) => {
    // The server keeps its side open until the client ends, so read(100) cannot see the end of stream.
    const { server, target } = await serve(net, 'tcp', {}, (socket) => {
      socket.write(Buffer.from('0123456789abcdefghij'));
      socket.resume();
    });
    const client = net.connect(target);
    const clientClosed = closed(client);
    const reads = [];
    let ended = false;
    client.on('end', () => { ended = true; });
    // Wait until all 20 bytes are buffered, then read them in pieces.
    await new Promise((resolve) => {
      const onReadable = () => {
        if (client.readableLength >= 20 || client.readableEnded) {
          client.off('readable', onReadable);
          resolve();
        }
      };
      client.on('readable', onReadable);
    });
    for (const n of [3, 7, 100]) {
      const chunk = client.read(n);
      reads.push(chunk === null ? null : chunk.toString());
    }
    reads.push(client.read(1) === null ? 'null' : 'more');
    const allRead = client.read();
    reads.push(allRead === null ? null : allRead.toString());
    client.end();
    client.resume();
    await clientClosed;
    await close(server);
    return { reads, ended, bytesRead: client.bytesRead };
  }); });

test('pauseOnConnect: nothing is read until resume(), then every byte arrives', { timeout: 30000 },
  async () => { await sameOnBoth(async (net) => {
    const log = [];
    let serverSocket;
    let serverClosed;
    const { server, target } = await serve(net, 'tcp', { pauseOnConnect: true }, (socket) => {
      serverSocket = socket;
      serverClosed = closed(socket);
      log.push(`paused: ${socket.isPaused()} flowing: ${socket.readableFlowing}`);
      track(log, 'server', socket, ['data', 'end', 'close']);
    });
    const client = net.connect(target);
    const clientClosed = closed(client);
    client.end('buffered while paused');
    await once(client, 'finish');
    while (!serverSocket) await delay(1);
    await delay(20);
    log.push(`bytesRead while paused: ${serverSocket.bytesRead}`);
    const got = collect(serverSocket);
    serverSocket.resume();
    await serverClosed;
    await clientClosed;
    await close(server);
    return { log, got: got().toString() };
  }); });
