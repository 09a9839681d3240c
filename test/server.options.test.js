'use strict';
// listen() options ipv6Only, readableAll and writableAll, compared with built-in net.
const test = require('node:test');
const fs = require('fs');
const { sameOnBoth, listen, close, pipePath, errorShape } = require('./helpers/modules');

// Connects to 127.0.0.1:port; resolves with 'connected' or the error code.
function tryIPv4(net, port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => { socket.destroy(); resolve('connected'); });
    socket.on('error', (err) => resolve(errorShape(err).code));
  });
}

for (const [name, options] of Object.entries({
  'host "::", ipv6Only: true': { host: '::', ipv6Only: true },
  'host "::", ipv6Only: false': { host: '::', ipv6Only: false },
  'host "::", no ipv6Only': { host: '::' },
  'no host, ipv6Only: true': { ipv6Only: true },
})) {
  test(`listen({ ${name} }): an IPv4 connect is ${options.ipv6Only ? 'refused' : 'accepted'}, IPv6 is accepted`, async () => {
    await sameOnBoth(async (net) => {
      const connections = [];
      const server = net.createServer((socket) => { connections.push(socket.remoteFamily); socket.destroy(); });
      const { port, address, family } = await listen(server, { port: 0, ...options });
      const ipv4 = await tryIPv4(net, port);
      const ipv6 = await new Promise((resolve) => {
        const socket = net.connect(port, '::1', () => { socket.destroy(); resolve('connected'); });
        socket.on('error', (err) => resolve(err.code));
      });
      await close(server);
      return { address, family, ipv4, ipv6, connections: connections.sort() };
    });
  });
}

test('listen({ path, readableAll, writableAll }): the socket file gets read/write permission for all', async () => {
  // A umask that leaves group and others nothing, so each bit seen comes from the option.
  const umask = process.umask(0o077);
  try {
    await sameOnBoth(async (net) => {
      const modes = {};
      for (const options of [{}, { readableAll: true }, { writableAll: true }, { readableAll: true, writableAll: true }]) {
        const path = pipePath('mode');
        const server = net.createServer();
        await listen(server, { path, ...options });
        modes[JSON.stringify(options)] = (fs.statSync(path).mode & 0o777).toString(8);
        await close(server);
      }
      return modes;
    });
  } finally {
    process.umask(umask);
  }
});

test('readableAll and writableAll are ignored on a TCP server', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer();
    const { family } = await listen(server, { port: 0, host: '127.0.0.1', readableAll: true, writableAll: true });
    const listening = server.listening;
    await close(server);
    return { family, listening };
  });
});
