'use strict';
// Each native event runs in a callback scope: nextTick and promise jobs run right after it, as in built-in net.
const test = require('node:test');
const { sameOnBoth, listen, close, once, denoTickOrder } = require('./helpers/modules');

function trace(log, label) {
  log.push(label);
  process.nextTick(() => log.push(`${label}:tick`));
  Promise.resolve().then(() => log.push(`${label}:microtask`));
}

// Bun's Node-API host runs nextTick and promise jobs only after every callback
// of a loop turn, so this ordering cannot be had there yet (README: Bun).
const onBun = Boolean(process.versions.bun);
const bunOrdering = onBun && 'Bun runs nextTick/promise jobs after the whole loop turn, not after each native callback';
const bunUncaught = onBun && "Bun's napi_fatal_exception does not reach process 'uncaughtException' listeners";

test('nextTick and promise jobs queued in event handlers run before the next event', { skip: bunOrdering || denoTickOrder }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const server = net.createServer((s) => {
      trace(log, 'connection');
      s.write('first');
      setTimeout(() => s.end('second'), 20);
      s.resume();
    });
    server.on('listening', () => trace(log, 'listening'));
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    client.on('connect', () => trace(log, 'connect'));
    client.on('data', (d) => trace(log, `data:${d}`));
    client.on('end', () => trace(log, 'end'));
    client.on('close', () => trace(log, 'close'));
    await once(client, 'close');
    await new Promise((r) => setImmediate(r));
    await close(server);
    return log;
  });
});

test('an exception thrown in a data handler reaches uncaughtException, and the process keeps serving', { skip: bunUncaught }, async () => {
  await sameOnBoth(async (net) => {
    const caught = [];
    const onUncaught = (err) => caught.push(err.message);
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      const server = net.createServer((s) => s.end('x'));
      const { port } = await listen(server, 0, '127.0.0.1');
      const client = net.connect(port, '127.0.0.1');
      client.on('data', () => { throw new Error('handler failed'); });
      await once(client, 'close');
      await close(server);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      for (const l of listeners) process.on('uncaughtException', l);
    }
    return caught;
  });
});
