'use strict';
// new Socket({ fd }): a socket over a descriptor opened elsewhere, compared with built-in net.
// A process cannot hand one of its own sockets to a second owner safely, so each scenario runs
// `new Socket({ fd: 3 })` in a child process that inherited the descriptor: a Unix socketpair
// (the child's stdio 'pipe') or one end of a loopback TCP connection. The other end (the peer)
// is built-in net in this process, whichever implementation the child runs.
const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { builtin, cnet, sameOnBoth, errorShape, listen, close, once } = require('./helpers/modules');
const { jsonLines } = require('./helpers/json-lines');

const fixture = path.join(__dirname, 'fixtures', 'fd', 'socket.js');
const cnetPath = path.join(__dirname, '..', 'lib', 'net.js');

// Spawns the fixture with fd 3 = stdio3 ('pipe' for a socketpair, or a descriptor number).
function spawnChild(name, options, stdio3) {
  return spawn(process.execPath, [fixture, name === 'net' ? 'net' : cnetPath, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'inherit', stdio3] });
}

// The child's end: a socketpair, peer = the parent's end of it.
async function overSocketpair(name, options) {
  const child = spawnChild(name, options, 'pipe');
  return { child, peer: child.stdio[3], port: null, cleanup: async () => {} };
}

// The child's end: the client side of a loopback TCP connection, whose descriptor the
// parent passes on and then closes; peer = the server side.
async function overTcp(name, options) {
  const server = builtin.createServer();
  const { port } = await listen(server, 0, '127.0.0.1');
  const accepted = once(server, 'connection');
  // Deno's net shows no descriptor of its sockets: there the passed end is cnet's.
  const client = process.versions.deno ? cnet.connect(port, '127.0.0.1') : builtin.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = await accepted;
  const child = spawnChild(name, options, process.versions.deno ? client._handle.fileno() : client._handle.fd);
  client.destroy();
  return { child, peer, port, cleanup: () => close(server) };
}

// Runs the fixture over `transport`; the peer writes "ping" (when the child reads), ends once
// answered, and reads until the child ends.
async function exchange(name, transport, options) {
  const { child, peer, port, cleanup } = await (transport === 'tcp' ? overTcp : overSocketpair)(name, options);
  const lines = jsonLines(child);
  const peerEvents = [];
  let peerReceived = '';
  peer.on('data', (d) => {
    peerReceived += d;
    if (peerReceived === 'pong:ping') peer.end();
  });
  for (const event of ['end', 'error', 'close']) peer.on(event, (e) => peerEvents.push(e ? `${event}(${e.code || e})` : event));
  const peerClosed = once(peer, 'close');
  const properties = await lines.next();
  if (properties.remotePort === port) properties.remotePort = 'PORT';
  if (options.readable !== false) {
    peer.write('ping');
    if (options.writable === false) peer.end();
  } else {
    peer.on('end', () => peer.end());
  }
  const report = await lines.next();
  await peerClosed;
  await cleanup();
  return { properties, report, peerEvents, peerReceived };
}

const optionSets = [{}, { readable: false }, { writable: false }, { allowHalfOpen: true }];
for (const transport of ['unix', 'tcp']) {
  for (const options of optionSets) {
    test(`new Socket({ fd, ...${JSON.stringify(options)} }) over ${transport === 'unix' ? 'a Unix socketpair' : 'TCP'}: properties, data both ways, end and close`,
      { timeout: 30000 }, async () => {
        await sameOnBoth((net, name) => exchange(name, transport, options));
      });
  }
}

test('new Socket({ fd }) with a bad descriptor: the same synchronous errors as built-in net', async () => {
  const file = fs.openSync(__filename, 'r');
  try {
    await sameOnBoth(async (net) => {
      const attempts = [
        { fd: -1 }, { fd: 1.5 }, { fd: '3' }, { fd: null }, { fd: 2 ** 31 },
        { fd: 99999 }, { fd: file }, file,
      ];
      return attempts.map((options) => {
        try {
          new net.Socket(options).destroy();
          return 'no error';
        } catch (err) {
          return errorShape(err);
        }
      });
    });
  } finally {
    fs.closeSync(file);
  }
});
