'use strict';
// AsyncLocalStorage: the store seen in socket and server events is the one the
// runtime's own net gives: on Bun, the context of the connect() or listen()
// that made the socket or server; on Node, what Node's async hooks give.
const test = require('node:test');
const assert = require('assert');
const { AsyncLocalStorage } = require('async_hooks');
const { builtin, cnet, sameOnBoth } = require('./helpers/modules');

// The stores seen in each event, per endpoint (Bun may interleave the two
// endpoints' events differently within one loop turn).
async function storesSeen(net) {
  const als = new AsyncLocalStorage();
  const seen = { server: [], client: [] };
  const note = (side, event) => seen[side].push(`${event}=${als.getStore()}`);
  const server = als.run('made server', () => net.createServer((socket) => {
    note('server', 'connection');
    socket.on('data', () => { note('server', 'data'); socket.end('bye'); });
    socket.on('end', () => note('server', 'end'));
    socket.on('close', () => note('server', 'socket close'));
  }));
  await new Promise((resolve) => {
    als.run('listen', () => server.listen(0, '127.0.0.1', () => { note('server', 'listening'); resolve(); }));
  });
  const serverClosed = new Promise((resolve) => server.on('close', () => { note('server', 'close'); resolve(); }));
  await new Promise((resolve) => {
    const client = als.run('made client', () => new net.Socket());
    als.run('listeners', () => {
      client.on('connect', () => { note('client', 'connect'); als.run('write', () => client.write('hi')); });
      client.on('data', () => note('client', 'data'));
      client.on('end', () => note('client', 'end'));
      client.on('close', () => { note('client', 'close'); resolve(); });
    });
    als.run('connect', () => client.connect(server.address().port, '127.0.0.1'));
  });
  server.close();
  await serverClosed;
  return seen;
}

// Deno: cnet runs on a private loop there and gives each handle's events the
// context of the connect() or listen() that made it, as on Bun; Deno's own net
// gives neither that nor Node's stores (its client's data, end and close see
// none), so neither is a reference cnet could match on Deno.
const denoContexts = Boolean(process.versions.deno) && 'on Deno, cnet gives each handle\'s events the context of the connect() or listen() that made it (private loop, as on Bun), and Deno\'s own net gives neither that nor Node\'s stores (its client data/end/close see none)';

test('AsyncLocalStorage stores in connection, connect, data, end and close events match the runtime\'s net', { skip: denoContexts }, async () => {
  if (process.versions.bun) {
    // Bun's node:net keeps contexts that Node's does not: the reference is Bun's own.
    assert.deepStrictEqual(await storesSeen(cnet), await storesSeen(builtin));
  } else {
    await sameOnBoth(storesSeen);
  }
});
