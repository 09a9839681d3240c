'use strict';
// Undocumented members of built-in net that ecosystem code uses: _normalizeArgs,
// Server.prototype._listen2, server._connectionKey and _setSimultaneousAccepts.
const test = require('node:test');
const assert = require('assert');
const {
  builtin, cnet, sameOnBoth, listen, close, once, errorShape, pipePath,
} = require('./helpers/modules');

test('_normalizeArgs gives [options, callback] for every connect() overload', async () => {
  await sameOnBoth((net) => {
    const cb = () => {};
    return [[], [{ port: 1 }], [{ port: 1 }, cb], ['/tmp/p.sock'], [80, 'h'], [80, 'h', cb], ['80'], [null], [{}, 5]]
      .map((argv) => net._normalizeArgs(argv).map((x) => (typeof x === 'function' ? 'callback' : x)));
  });
});

test('connect() takes _normalizeArgs\' result as its arguments; a plain array is no options', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const server = net.createServer((s) => { log.push('connection'); s.end(); });
    const { port } = await listen(server, 0, '127.0.0.1');
    try {
      new net.Socket().connect([{ port, host: '127.0.0.1' }, () => {}]);
      log.push('plain array accepted');
    } catch (err) {
      log.push(errorShape(err).code);
    }
    const socket = new net.Socket();
    await new Promise((resolve) => {
      socket.connect(net._normalizeArgs([{ port, host: '127.0.0.1' }, () => { log.push('callback'); resolve(); }]));
    });
    socket.resume();
    await once(socket, 'close');
    await close(server);
    return log;
  });
});

// The flags argument is left out: Node 20 passes none for a listen without a host.
test('_connectionKey and the address, port, family, backlog and fd _listen2 gets for TCP, any-address and pipe listens', async () => {
  await sameOnBoth(async (net) => {
    const seen = [];
    for (const listenArgs of [[0, '127.0.0.1', 7], [0], [{ port: 0, host: '::1' }], [pipePath('key')]]) {
      const server = net.createServer();
      server._listen2 = function interceptedListen2(...argv) {
        seen.push(['_listen2', ...argv.slice(0, 5).map((a) => (typeof a === 'string' && a.startsWith('/') ? 'path' : a))]);
        return net.Server.prototype._listen2.apply(this, argv);
      };
      await listen(server, ...listenArgs);
      seen.push(server._connectionKey.replace(/\/.*:/, 'path:'));
      await close(server);
    }
    return seen;
  });
});

async function simultaneousAccepts(net) {
  if (typeof net._setSimultaneousAccepts !== 'function') return 'absent';
  const warnings = [];
  const onWarning = (w) => warnings.push(`${w.name} ${w.code} ${w.message}`);
  process.on('warning', onWarning);
  const results = [net._setSimultaneousAccepts(true), net._setSimultaneousAccepts(false)];
  await new Promise(setImmediate);
  process.off('warning', onWarning);
  return { results, warnings };
}

// Node 24 removed it and Bun keeps it: the reference is the running runtime's
// own net (on Bun too, rather than Node's record).
test('_setSimultaneousAccepts: there where built-in net has it, a no-op warning once with DEP0121', async () => {
  if (process.versions.bun) {
    assert.deepStrictEqual(await simultaneousAccepts(cnet), await simultaneousAccepts(builtin));
  } else {
    await sameOnBoth(simultaneousAccepts);
  }
});
