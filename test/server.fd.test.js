'use strict';
// listen({ fd }), listen({ handle }) and listen(handle), compared with built-in net.
// listen({ fd }) runs in a child process that inherited the descriptor (fd 3), since a
// descriptor must not have two owners in one process: a listening TCP or Unix socket,
// a bound TCP socket that is not listening yet, or a connected one. Clients here are built-in net.
const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const {
  builtin, cnet, sameOnBoth, errorShape, record, listen, close, once, pipePath,
} = require('./helpers/modules');
const { jsonLines } = require('./helpers/json-lines');
const { createHandle } = require('../lib/handle');

const fixture = path.join(__dirname, 'fixtures', 'fd', 'server.js');
const cnetPath = path.join(__dirname, '..', 'lib', 'net.js');

// Deno's net shows no descriptor of its sockets: there the descriptors come from cnet's.
const fdOwner = process.versions.deno ? cnet : builtin;
const fdOf = (owner) => (typeof owner._handle.fd === 'number' ? owner._handle.fd : owner._handle.fileno());

// Each source gives { fd, target (what connect() takes), release() (closes this process's
// copy, once the child has its own) and maybe cleanup() (after the scenario) }.
const sources = {
  // A listening TCP socket of built-in net.
  async 'listening TCP'() {
    const server = fdOwner.createServer();
    const { port } = await listen(server, 0, '127.0.0.1');
    return { fd: fdOf(server), target: { port, host: '127.0.0.1' }, release: () => close(server) };
  },
  // A listening Unix socket of built-in net. Closing a Unix server removes its path, so
  // the socket file is renamed first and clients use the new name.
  async 'listening Unix socket'() {
    const server = fdOwner.createServer();
    const bound = pipePath('fdsrc');
    await listen(server, bound);
    const moved = pipePath('fd');
    fs.renameSync(bound, moved);
    const release = () => close(server);
    return { fd: fdOf(server), target: { path: moved }, release, cleanup: () => fs.rmSync(moved) };
  },
  // A TCP socket bound to a loopback port but not listening. No public net API makes one,
  // so it comes from cnet's own handle class.
  async 'bound TCP, not listening'() {
    const handle = createHandle(false, null);
    assert.strictEqual(handle.bind('127.0.0.1', 0, 4, 0), 0);
    const { port } = handle.getsockname();
    return { fd: handle.fileno(), target: { port, host: '127.0.0.1' }, release: async () => handle.close() };
  },
};

function spawnServer(name, form, fd) {
  return spawn(process.execPath, [fixture, name === 'net' ? 'net' : cnetPath, form],
    { stdio: ['pipe', 'pipe', 'inherit', fd] });
}

function reply(target) {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = builtin.connect(target);
    socket.on('data', (d) => { text += d; });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

async function serveFromDescriptor(name, sourceName, form) {
  const source = await sources[sourceName]();
  const child = spawnServer(name, form, source.fd);
  await source.release();
  const lines = jsonLines(child);
  const listening = await lines.next();
  if (listening.port !== undefined) listening.port = listening.port === source.target.port ? 'PORT' : listening.port;
  const replies = [await reply(source.target), await reply(source.target)];
  child.stdin.end();
  const { events } = await lines.next();
  if (source.cleanup) source.cleanup();
  return { listening, replies, events };
}

for (const sourceName of Object.keys(sources)) {
  test(`listen({ fd }) on a ${sourceName}: listening, address(), connections, close`, { timeout: 30000 }, async () => {
    await sameOnBoth((net, name) => serveFromDescriptor(name, sourceName, 'listen({ fd })'));
  });
}

for (const form of ['listen({ handle: { fd } })', 'listen({ fd }, backlog, cb)', 'listen({ fd }) then "listening"']) {
  test(`${form} on a listening TCP socket`, { timeout: 30000 }, async () => {
    await sameOnBoth((net, name) => serveFromDescriptor(name, 'listening TCP', form));
  });
}

test('listen({ fd }) on a connected TCP socket: the same "listen EINVAL" error event', { timeout: 30000 }, async () => {
  await sameOnBoth(async (net, name) => {
    const server = builtin.createServer();
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = fdOwner.connect(port, '127.0.0.1');
    await once(client, 'connect');
    const child = spawnServer(name, 'listen({ fd })', fdOf(client));
    client.destroy();
    const result = await jsonLines(child).next();
    server.close();
    return result;
  });
});

test('listen({ fd }) on a descriptor that is not a socket, or not open: the same "listen EINVAL" error event', async () => {
  const file = fs.openSync(__filename, 'r');
  try {
    await sameOnBoth(async (net) => {
      const results = [];
      for (const options of [{ fd: file }, { fd: 99999 }, { handle: { fd: file } }]) {
        const server = net.createServer();
        const log = [];
        record(log, 'server', server, ['listening', 'error', 'close']);
        const [err] = await new Promise((resolve) => {
          server.once('error', (...a) => resolve(a));
          server.listen(options);
        });
        results.push({ error: errorShape(err), log, listening: server.listening, address: server.address() });
      }
      return results;
    });
  } finally {
    fs.closeSync(file);
  }
});

// The handle forms take over the handle of another server of the same implementation.
const handleForms = {
  'listen(server)': (server, other) => server.listen(other),
  'listen({ handle: server._handle })': (server, other) => server.listen({ handle: other._handle }),
  'listen(server._handle, backlog, cb)': (server, other, cb) => server.listen(other._handle, 10, cb),
};
for (const [form, call] of Object.entries(handleForms)) {
  test(`${form}: the new server takes over the listening handle and gets its connections`, { timeout: 30000 }, async () => {
    await sameOnBoth(async (net) => {
      const log = [];
      const first = net.createServer((s) => { log.push('first:connection'); s.end('first'); });
      const { port } = await listen(first, 0, '127.0.0.1');
      const second = net.createServer((s) => { log.push('second:connection'); s.end('second'); });
      record(log, 'first', first, ['listening', 'close', 'error']);
      record(log, 'second', second, ['listening', 'close', 'error']);
      await new Promise((resolve) => {
        second.once('listening', resolve);
        call(second, first, () => log.push('second:listen callback'));
      });
      const state = { listening: second.listening, samePort: second.address().port === port };
      const replies = [await reply({ port, host: '127.0.0.1' }), await reply({ port, host: '127.0.0.1' })];
      await close(second);
      return { state, replies, log };
    });
  });
}

test('listen(connectedSocket): the same "listen EINVAL" error event (port -1)', { timeout: 30000 }, async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.on('error', () => {}));
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    const other = net.createServer();
    const [err] = await new Promise((resolve) => {
      other.once('error', (...a) => resolve(a));
      other.listen(client);
    });
    client.destroy();
    await close(server);
    return { error: errorShape(err), listening: other.listening };
  });
});

test('cnet refuses the handle of a built-in net server (ERR_CNET_UNSUPPORTED), and takes no connection', async () => {
  const server = builtin.createServer();
  await listen(server, 0, '127.0.0.1');
  const forms = [server, { handle: server._handle }, server._handle];
  try {
    for (const form of forms) {
      const attempt = cnet.createServer();
      assert.throws(() => attempt.listen(form), {
        code: 'ERR_CNET_UNSUPPORTED',
        message: /cannot take over a handle of built-in net/,
      });
      assert.strictEqual(attempt.listening, false);
    }
    assert.strictEqual(server.listening, true);
  } finally {
    await close(server);
  }
});
