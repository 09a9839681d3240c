'use strict';
// The public surface of cnet: the same exports as Node's `net`.
const args = require('./args');
const channels = require('./channels');
const deprecated = require('./deprecated');
const family = require('./family');
const { Socket } = require('./socket');
const { Server } = require('./server');
const { BoundSocket } = require('./bound-socket');

require('./bun-tls').install(Socket);
require('./ipc').install(Server, Socket);

function createServer(options, connectionListener) {
  return new Server(options, connectionListener);
}

function connect(...argv) {
  const [options] = args.normalizeConnectArgs(argv);
  const socket = new Socket(options);
  channels.publishClientSocket(socket, false);
  if (options.timeout) socket.setTimeout(options.timeout);
  return socket.connect(...argv);
}

function isIP(input) {
  return args.ipFamily(input);
}

function isIPv4(input) {
  return args.ipFamily(input) === 4;
}

function isIPv6(input) {
  return args.ipFamily(input) === 6;
}

module.exports = {
  createServer,
  createConnection: connect,
  connect,
  Server,
  Socket,
  Stream: Socket,
  BoundSocket,
  isIP,
  isIPv4,
  isIPv6,
  getDefaultAutoSelectFamily: family.getDefaultAutoSelectFamily,
  setDefaultAutoSelectFamily: family.setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout: family.getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamilyAttemptTimeout: family.setDefaultAutoSelectFamilyAttemptTimeout,
  // Undocumented members that ecosystem code uses.
  _normalizeArgs: args.normalizeConnectArgs,
};
// Not enumerable: an ES module cannot export a name only on some runtimes.
if (deprecated.builtinHasSimultaneousAccepts()) {
  Object.defineProperty(module.exports, '_setSimultaneousAccepts', {
    value: deprecated.setSimultaneousAccepts, writable: true, configurable: true, enumerable: false,
  });
}

// Pure address utilities with no I/O: the runtime's own classes are re-exported.
for (const name of ['BlockList', 'SocketAddress']) {
  Object.defineProperty(module.exports, name, {
    enumerable: true,
    get: () => require('node:net')[name],
  });
}
