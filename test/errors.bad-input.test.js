'use strict';
// Bad input fails synchronously with the same class, code and message as built-in net.
const test = require('node:test');
const assert = require('assert');
const {
  builtin, cnet, errorShape, reference, sameOnBoth,
} = require('./helpers/modules');

function attempt(fn) {
  try {
    const result = fn();
    if (result && typeof result.destroy === 'function') result.destroy();
    if (result && typeof result.close === 'function' && result.listening) result.close();
    return 'no throw';
  } catch (err) {
    return errorShape(err);
  }
}

const cases = {
  'connect port out of range': (net) => net.connect({ port: 70000 }),
  'connect negative port': (net) => net.connect({ port: -1 }),
  'connect non-numeric port string': (net) => net.connect({ port: 'abc' }),
  'connect boolean port': (net) => net.connect({ port: true }),
  'connect empty options': (net) => net.connect({}),
  'connect no arguments': (net) => net.connect(),
  'connect numeric host': (net) => net.connect({ host: 1, port: 80 }),
  'connect invalid localAddress': (net) => net.connect({ port: 80, localAddress: 'x' }),
  'connect string localPort': (net) => net.connect({ port: 80, localPort: 'x' }),
  'connect bad family': (net) => net.connect({ port: 80, family: 7 }),
  'connect non-function lookup': (net) => net.connect({ port: 80, lookup: 5 }),
  'connect string timeout': (net) => net.connect({ port: 80, timeout: 'x' }),
  'connect numeric path': (net) => net.connect({ path: 5 }),
  'connect NaN port': (net) => net.connect(NaN),
  'connect float port': (net) => net.connect(80.5),
  'connect object port': (net) => net.connect({ port: {} }),
  'createConnection(null)': (net) => net.createConnection(null),
  'connect null port': (net) => net.connect({ port: null, host: 'localhost' }),
  'connect invalid hints': (net) => net.connect({ port: 42, hints: 98 }),
  'connect objectMode': (net) => net.connect({ port: 8080, objectMode: true }),
  'connect readableObjectMode': (net) => net.connect({ port: 8080, readableObjectMode: true }),
  'Socket writableObjectMode': (net) => new net.Socket({ writableObjectMode: 1 }),
  'Socket.connect no arguments': (net) => new net.Socket().connect(),
  'Socket with string fd': (net) => new net.Socket({ fd: 'x' }),
  'Socket with string keepAliveInitialDelay': (net) => new net.Socket({ keepAliveInitialDelay: 'x' }),
  'Socket with symbol keepAliveInitialDelay': (net) => new net.Socket({ keepAliveInitialDelay: Symbol('s') }),
  'createServer numeric options': (net) => net.createServer(5),
  'createServer string highWaterMark': (net) => net.createServer({ highWaterMark: 'x' }),
  'createServer string keepAliveInitialDelay': (net) => net.createServer({ keepAliveInitialDelay: 'x' }),
  'listen empty options': (net) => net.createServer().listen({}),
  'listen negative port': (net) => net.createServer().listen(-1),
  'listen boolean': (net) => net.createServer().listen(true),
  'listen port out of range': (net) => net.createServer().listen({ port: 70000 }),
  'listen options with boolean port': (net) => net.createServer().listen({ port: true }),
  'listen with a non-AbortSignal signal': (net) => net.createServer().listen({ port: 0, signal: 5 }),
  'connect with a non-AbortSignal signal': (net) => net.connect({ port: 80, signal: 5 }),
  'listen twice': (net) => {
    const server = net.createServer().listen(0, '127.0.0.1');
    try {
      server.listen(0, '127.0.0.1');
    } finally {
      server.close();
    }
  },
  'setTimeout string': (net) => new net.Socket().setTimeout('x'),
  'setTimeout negative': (net) => new net.Socket().setTimeout(-1),
  'setTimeout Infinity': (net) => new net.Socket().setTimeout(Infinity),
  'setTimeout non-function callback': (net) => new net.Socket().setTimeout(1, 5),
  'write number': (net) => new net.Socket().write(5),
  'write undefined': (net) => new net.Socket().write(),
  'write null': (net) => new net.Socket().write(null),
  'write object': (net) => new net.Socket().write({}),
  'getConnections without callback': (net) => net.createServer().getConnections(),
  'close with non-function': (net) => net.createServer().close(5),
  'setDefaultAutoSelectFamily non-boolean': (net) => net.setDefaultAutoSelectFamily(1),
  'setDefaultAutoSelectFamilyAttemptTimeout string': (net) => net.setDefaultAutoSelectFamilyAttemptTimeout('x'),
};

for (const [name, fn] of Object.entries(cases)) {
  test(`bad input: ${name} fails like built-in net`, async () => {
    const expected = await reference(() => attempt(() => fn(builtin)));
    const actual = attempt(() => fn(cnet));
    assert.deepStrictEqual(actual, expected);
  });
}

test('write after end: ERR_STREAM_WRITE_AFTER_END reaches the callback and error event', async () => {
  const observed = await sameOnBoth(async (net) => {
    const socket = new net.Socket();
    socket.end();
    const errs = await new Promise((resolve) => {
      let fromCb;
      socket.on('error', (err) => resolve([fromCb, err]));
      socket.write('x', (err) => { fromCb = err; });
    });
    socket.destroy();
    return errs.map(errorShape);
  });
  assert.strictEqual(observed[0].code, 'ERR_STREAM_WRITE_AFTER_END');
  assert.strictEqual(observed[1].code, 'ERR_STREAM_WRITE_AFTER_END');
});

test('end() on a socket that never connected: finishes at once on Node 22+, waits for a connect on Node 20', async () => {
  await sameOnBoth(async (net) => {
    const socket = new net.Socket();
    const log = [];
    for (const event of ['prefinish', 'finish', 'error', 'close']) socket.on(event, () => log.push(event));
    socket.end(() => log.push(`end callback, writable ${socket.writable}`));
    log.push(`end returned, writable ${socket.writable}, pending ${socket.pending}`);
    await new Promise(setImmediate);
    socket.destroy();
    await new Promise((resolve) => socket.once('close', resolve));
    return log;
  });
});

test('write on a socket that never connected: ERR_SOCKET_CLOSED reaches the callback and error event', async () => {
  const observed = await sameOnBoth(async (net) => {
    const socket = new net.Socket();
    const seen = await new Promise((resolve) => {
      let fromCb;
      socket.on('error', (err) => resolve([fromCb, err]));
      socket.write('x', (err) => { fromCb = err; });
    });
    return seen.map(errorShape);
  });
  assert.strictEqual(observed[1].code, 'ERR_SOCKET_CLOSED');
});
