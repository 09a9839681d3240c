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

// http.Agent reads a pooled socket's handle.getAsyncId(); it must name the
// handle's own async resource, the one async_hooks announced with 'init'.
const asyncHooksInit = (onBun || Boolean(process.versions.deno))
  && 'async_hooks init hooks are not called on this runtime';
test('handle.getAsyncId() is the id async_hooks gave the handle at init, for connected and accepted handles',
  { skip: asyncHooksInit }, async () => {
    const asyncHooks = require('async_hooks');
    await sameOnBoth(async (net) => {
      const initIds = new Map();
      const hook = asyncHooks.createHook({
        init(id, type, trigger, resource) { if (type === 'TCPWRAP') initIds.set(resource, id); },
      }).enable();
      let accepted;
      const server = net.createServer((s) => { accepted = s; s.resume(); });
      const { port } = await listen(server, 0, '127.0.0.1');
      const client = net.connect(port, '127.0.0.1');
      await once(client, 'connect');
      while (!accepted) await new Promise((r) => setImmediate(r));
      hook.disable();
      const seen = (socket) => initIds.has(socket._handle) && initIds.get(socket._handle) === socket._handle.getAsyncId();
      const result = { client: seen(client), accepted: seen(accepted), distinct: client._handle.getAsyncId() !== accepted._handle.getAsyncId() };
      client.destroy();
      await close(server);
      return result;
    });
  });
