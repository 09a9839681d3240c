'use strict';
// Bun only: let server-side TLS (`new tls.TLSSocket(cnetSocket, { isServer: true })`,
// and so `tlsServer.emit('connection', cnetSocket)`) run over a cnet socket.
//
// Bun's TLSSocket hands the wrapped stream to net.Socket.prototype[::bunUpgradeServerTLS::],
// which takes any Duplex with a truthy `_handle` for one of Bun's own native sockets and
// calls `_handle.upgradeTLS()` on it (a method only Bun's handles have); a cnet socket's
// handle has none, so the wrap fails with "handle.upgradeTLS is not a function". A Duplex
// without `_handle` instead gets Bun's stream TLS engine, which drives the handshake
// through the stream's public write()/'data'/'end'/'close' — what Bun's client side,
// `tls.connect({ socket })`, already does with a cnet socket. So for cnet sockets only,
// `_handle` reads null while Bun picks the path; the call is synchronous and the handle is
// put back before it returns. Nothing else in cnet or Bun changes.
// (Standalone repro without cnet: a stream.Duplex with `_handle = {}` fails the same way.)

const kUpgradeServerTLS = Symbol.for('::bunUpgradeServerTLS::');

function install(CnetSocket) {
  if (!process.versions.bun) return;
  const proto = require('node:net').Socket.prototype;
  const upgrade = proto[kUpgradeServerTLS];
  if (typeof upgrade !== 'function') return;
  proto[kUpgradeServerTLS] = function upgradeServerTLS(connection, ...rest) {
    if (!(connection instanceof CnetSocket) || !connection._handle) {
      return upgrade.call(this, connection, ...rest);
    }
    const handle = connection._handle;
    connection._handle = null;
    try {
      return upgrade.call(this, connection, ...rest);
    } finally {
      connection._handle = handle;
    }
  };
}

module.exports = { install };
