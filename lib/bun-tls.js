'use strict';
// Bun only: TLS from Bun's `tls` over a cnet socket (`tls.connect({ socket })`,
// `new tls.TLSSocket(socket, { isServer: true })`, a tls.Server fed through
// 'connection'), with what a user observes over a built-in socket.
//
// Bun runs TLS over a Duplex that is not one of its own sockets with a stream
// engine: it listens to the Duplex's 'data' and 'end' and writes with write().
// Bun's server-side wrap (net.Socket.prototype[::bunUpgradeServerTLS::]) takes
// any Duplex with a truthy `_handle` for one of its native sockets and calls
// `_handle.upgradeTLS()`, which a cnet handle lacks ("handle.upgradeTLS is not
// a function"); so for cnet sockets `_handle` reads null while Bun picks the
// path (a plain stream.Duplex with `_handle = {}` fails the same way).
//
// Around both upgrades (the server's, and the client's connect({ socket })), a cnet socket is then adopted:
// - the engine's 'data' and 'end' listeners are taken off the socket and its
//   reads go to them directly, as the `onread` option delivers them: listeners
//   of the plain socket see no TLS records and no 'end', and a setEncoding()
//   made before the wrap does not turn the records into strings;
// - the TLSSocket's address getters, setNoDelay/setKeepAlive and ref/unref,
//   which Bun answers from its engine (no addresses, calls dropped), use the socket;
// - the TLSSocket's write() reports the socket's backpressure.

const kUpgradeServerTLS = Symbol.for('::bunUpgradeServerTLS::');

function install(CnetSocket) {
  if (!process.versions.bun) return;
  const proto = require('node:net').Socket.prototype;
  const upgradeServer = proto[kUpgradeServerTLS];
  if (typeof upgradeServer === 'function') {
    proto[kUpgradeServerTLS] = function upgradeServerTLS(connection, ...rest) {
      if (!(connection instanceof CnetSocket) || !connection._handle) {
        return upgradeServer.call(this, connection, ...rest);
      }
      const handle = connection._handle;
      connection._handle = null;
      try {
        return adoptAround(this, connection, () => upgradeServer.call(this, connection, ...rest));
      } finally {
        connection._handle = handle;
      }
    };
  }
  // tls.connect({ socket }) and new TLSSocket(socket) both end in net's
  // connect({ socket }) called on the TLSSocket (hooked there, so loading cnet
  // does not load Bun's tls).
  const connect = proto.connect;
  proto.connect = function connectOverCnet(...args) {
    const options = Array.isArray(args[0]) ? args[0][0] : args[0];
    const socket = options !== null && typeof options === 'object' ? options.socket : undefined;
    if (!(socket instanceof CnetSocket) || !this.encrypted) return connect.apply(this, args);
    const result = adoptAround(this, socket, () => connect.apply(this, args));
    // A socket still connecting, or not yet told to connect: the TLSSocket is
    // connecting too, and says so with 'connect' once the socket is connected,
    // as over a built-in socket.
    if ((socket.connecting || socket._handle === null) && !this.connecting) {
      this.connecting = true;
      socket.once('connect', () => {
        this.connecting = false;
        this.emit('connect');
      });
    }
    return result;
  };
}

// Runs Bun's upgrade, then adopts the listeners it added to the socket.
function adoptAround(tlsSocket, socket, upgrade) {
  const dataBefore = socket.listeners('data');
  const endBefore = socket.listeners('end');
  const result = upgrade();
  const onData = socket.listeners('data').filter((fn) => !dataBefore.includes(fn));
  const onEnd = socket.listeners('end').filter((fn) => !endBefore.includes(fn));
  if (socket._onreadCallback === null && onData.length > 0) {
    for (const fn of onData) socket.removeListener('data', fn);
    for (const fn of onEnd) socket.removeListener('end', fn);
    socket._onreadCallback = (nread, buffer) => {
      for (const fn of onData) fn.call(socket, buffer);
    };
    socket._onreadEnd = () => {
      for (const fn of onEnd) fn.call(socket);
    };
    deliverBuffered(socket, onData);
  }
  delegateToSocket(tlsSocket, socket);
  passBackpressure(tlsSocket, socket);
  return result;
}

// Bytes the socket read before the wrap go to the engine first, on the next
// tick (the listeners that would have seen them are off the socket now).
function deliverBuffered(socket, onData) {
  if (socket.readableLength === 0) return;
  const encoding = socket.readableEncoding;
  const buffered = [];
  let chunk;
  while ((chunk = socket.read()) !== null) buffered.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
  process.nextTick(() => {
    for (const bytes of buffered) {
      for (const fn of onData) fn.call(socket, bytes);
    }
  });
}

// Bun's engine counts a write as flushed once it has handed it to the socket's
// write(): the TLSSocket's write() returns true, or its 'drain' comes at once,
// whatever the socket holds, so a writer that waits for 'drain' writes on in
// the same turn and fills memory without end (the socket's reads never get to
// run). While the socket is over its high-water mark, the TLSSocket's write()
// returns false and Bun's 'drain' is held back; the socket's 'drain' lets it
// through, as writes over a built-in socket behave.
function passBackpressure(tlsSocket, socket) {
  const write = tlsSocket.write;
  const emit = tlsSocket.emit;
  let waiting = false;
  tlsSocket.write = function writeWithBackpressure(...args) {
    const accepted = write.apply(this, args);
    if (!socket.writableNeedDrain) return accepted;
    waiting = true;
    return false;
  };
  tlsSocket.emit = function emitHoldingDrain(event, ...args) {
    if (event === 'drain' && socket.writableNeedDrain) {
      waiting = true;
      return false;
    }
    return emit.call(this, event, ...args);
  };
  socket.on('drain', () => {
    if (!waiting) return;
    waiting = false;
    emit.call(tlsSocket, 'drain');
  });
}

function delegateToSocket(tlsSocket, socket) {
  tlsSocket._getpeername = () => socket._getpeername();
  tlsSocket._getsockname = () => socket._getsockname();
  tlsSocket.setNoDelay = function setNoDelay(enable) {
    socket.setNoDelay(enable);
    return this;
  };
  tlsSocket.setKeepAlive = function setKeepAlive(enable, initialDelay) {
    socket.setKeepAlive(enable, initialDelay);
    return this;
  };
  tlsSocket.ref = function ref() {
    socket.ref();
    return this;
  };
  tlsSocket.unref = function unref() {
    socket.unref();
    return this;
  };
}

module.exports = { install };
