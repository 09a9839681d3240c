'use strict';
// TLS from the runtime's `tls` over a cnet socket on Node and Deno, with what a user
// observes when it runs over a built-in socket.
//
// Node's TLSSocket encrypts over a native stream handle. A built-in net.Socket
// hands over its TCP handle: TLS then reads and writes the socket itself, the
// plain socket sees no more 'data' or 'end', and the TLSSocket passes
// getpeername/getsockname/setNoDelay/setKeepAlive/ref/unref on to that handle.
// Any other stream, a cnet socket included, is wrapped in an adapter
// (JSStreamSocket) whose native handle (a JSStream) calls back into JS: it
// listens to the stream's 'data' (so listeners of the plain socket keep seeing
// TLS records, and a setEncoding() made before turns them into strings, which
// the adapter refuses with ERR_STREAM_WRAP), knows nothing of addresses or
// socket options, and completes each write a loop turn late (setImmediate).
//
// adopt() makes the adapter over a cnet socket act like the built-in wrap:
// - reading: the socket's reads go to the JSStream handle directly, as the
//   `onread` option delivers them, so nothing is emitted or decoded on the
//   plain socket and pausing the TLS side stops the socket's handle;
// - writing and shutdown: encrypted data goes to the socket's write() and the
//   handle's request completes with the write's callback, with no turn lost;
// - the TLSSocket's address getters and socket options reach the socket.

const os = require('os');
const { Buffer } = require('buffer');

// The most libuv reads per call on a stream.
const kReadBufferSize = 65536;
const UV_EPIPE = -os.constants.errno.EPIPE;
const UV_ECANCELED = -os.constants.errno.ECANCELED;
const UV_ENOTCONN = -os.constants.errno.ENOTCONN;

let installed = false;

// Node's JSStreamSocket pauses the stream it wraps before anything else, and
// the TLSSocket is then built synchronously; so the hook goes in on the first
// pause() of any cnet socket, and loading cnet does not load `tls`.
function installOnce(CnetSocket) {
  if (installed) return;
  installed = true;
  if (process.versions.bun) return;
  const { TLSSocket } = require('tls');
  const init = TLSSocket.prototype._init;
  if (typeof init !== 'function') return;
  TLSSocket.prototype._init = function initOverCnet(socket, wrap) {
    init.call(this, socket, wrap);
    if (!(socket instanceof CnetSocket) || !wrap || wrap.stream !== socket || !this._handle || !this._handle._parent) return;
    adopt(this, socket, wrap, this._handle._parent);
    // Deno's TLS handle copied the adapter's methods when it was made.
    if (process.versions.deno) reachSocket(this._handle, socket);
  };
}

function uvCode(err) {
  return typeof err.errno === 'number' && err.errno < 0 ? err.errno : UV_EPIPE;
}

// Copies a cnet address record into the object a native getpeername/getsockname fills.
function fillAddress(record, out) {
  if (record.address === undefined) return UV_ENOTCONN;
  out.address = record.address;
  out.family = record.family;
  out.port = record.port;
  return 0;
}

// The TLSSocket's address getters, socket options and ref/unref reach the
// socket through `handle` (the adapter's handle, and on Deno the TLS handle too).
function reachSocket(handle, socket) {
  handle.getpeername = (out) => fillAddress(socket._getpeername(), out);
  handle.getsockname = (out) => fillAddress(socket._getsockname(), out);
  handle.setNoDelay = (enable) => {
    socket.setNoDelay(enable);
    return 0;
  };
  handle.setKeepAlive = (enable, delaySeconds) => {
    socket.setKeepAlive(enable, delaySeconds * 1000);
    return 0;
  };
  handle.ref = () => {
    socket.ref();
  };
  handle.unref = () => {
    socket.unref();
  };
}

function adopt(tlsSocket, socket, wrap, jsHandle) {
  takeOverReading(socket, wrap, jsHandle);
  takeOverWriting(socket, wrap, jsHandle);
  reachSocket(jsHandle, socket);

  // The plain socket closing destroys the TLSSocket before the socket's later
  // 'close' listeners run, as TLS does over a built-in socket.
  socket.once('close', () => tlsSocket.destroy());

  // A socket still connecting, or not yet told to connect: the TLSSocket is
  // connecting too (its handshake waits), and says so with 'connect' once the
  // socket is connected, as over a built-in socket.
  tlsSocket._parent = socket;
  if (socket.connecting || socket._handle === null) {
    tlsSocket.connecting = true;
    socket.once('connect', () => {
      tlsSocket.connecting = false;
      tlsSocket.emit('connect');
    });
  }
}

// The adapter listens to the socket's 'data' and 'end' with the last listeners
// added (it was built just before the TLSSocket's _init). Those come off: a
// 'data' or 'end' that someone emits on the plain socket (ftp-srv forwards the
// TLSSocket's events to it) would otherwise be fed to TLS as records or EOF.
// Its 'data' listener is the one named ondata; without it, reading stays the
// adapter's.
function takeOverReading(socket, wrap, jsHandle) {
  if (socket._onreadCallback !== null) return;
  const onData = socket.listeners('data');
  const onEnd = socket.listeners('end');
  const adapterData = onData[onData.length - 1];
  if (adapterData === undefined || adapterData.name !== 'ondata' || onEnd.length === 0) return;
  socket.removeListener('data', adapterData);
  socket.removeListener('end', onEnd[onEnd.length - 1]);
  deliverBuffered(socket, wrap, jsHandle);
  // TLS copies what it is given, so the socket reads into one buffer of its
  // own, reused for every read (no allocation or pool copy per read).
  const readBuffer = Buffer.allocUnsafe(kReadBufferSize);
  socket._onreadBuffer = readBuffer;
  if (socket._handle !== null) socket._handle.useUserBuffer(readBuffer);
  socket._onreadCallback = (nread, buffer) => {
    if (wrap._handle !== null) jsHandle.readBuffer(buffer.subarray(0, nread));
  };
  socket._onreadEnd = () => {
    if (wrap._handle !== null) jsHandle.emitEOF();
  };
}

// Bytes the socket read before the wrap (a TLSSocket made a while after the
// connection came, a ClientHello already in) go to TLS first, on the next tick
// as the TLSSocket's own first read, when its listeners are attached.
function deliverBuffered(socket, wrap, jsHandle) {
  if (socket.readableLength === 0) return;
  // With setEncoding() the buffer holds strings: back to bytes the same way.
  const encoding = socket.readableEncoding;
  const buffered = [];
  let chunk;
  while ((chunk = socket.read()) !== null) buffered.push(chunk);
  process.nextTick(() => {
    for (const bytes of buffered) {
      if (wrap._handle !== null) jsHandle.readBuffer(typeof bytes === 'string' ? Buffer.from(bytes, encoding) : bytes);
    }
  });
}

function takeOverWriting(socket, wrap, jsHandle) {
  let writeReq = null;
  let shutdownReq = null;
  let closing = false;

  const finishWrite = (req, status) => {
    if (writeReq !== req) return;
    writeReq = null;
    jsHandle.finishWrite(req, status);
    if (shutdownReq !== null && !closing) startShutdown();
  };

  const startShutdown = () => {
    const req = shutdownReq;
    socket.end(() => {
      if (shutdownReq !== req) return;
      shutdownReq = null;
      jsHandle.finishShutdown(req, 0);
    });
  };

  // The request never completes inside the native call that made it (TLS
  // is still in the middle of sending): a write the handle took at once
  // completes on the next tick, others when Writable calls back.
  jsHandle.onwrite = (req, bufs) => {
    writeReq = req;
    if (closing || wrap._handle === null) return 0;
    const done = (err) => finishWrite(req, err ? uvCode(err) : 0);
    if (socket._writeLayered(bufs, done)) process.nextTick(finishWrite, req, 0);
    return 0;
  };

  // TLS asks for a shutdown while its last write may still be in flight: the
  // socket ends after it.
  jsHandle.onshutdown = (req) => {
    shutdownReq = req;
    if (closing || wrap._handle === null) return 0;
    if (writeReq === null) process.nextTick(startShutdown);
    return 0;
  };

  // The TLSSocket closing its handle: the socket is destroyed, and once it has
  // closed, requests still open end as cancelled and the handle is closed
  // (so the plain socket's 'close' comes before the TLSSocket's, as over net).
  jsHandle.close = (cb) => {
    closing = true;
    const finish = () => {
      if (writeReq !== null) {
        const req = writeReq;
        writeReq = null;
        jsHandle.finishWrite(req, UV_ECANCELED);
      }
      if (shutdownReq !== null) {
        const req = shutdownReq;
        shutdownReq = null;
        jsHandle.finishShutdown(req, UV_ECANCELED);
      }
      closing = false;
      if (cb) cb();
    };
    if (socket._closeEmitted) setImmediate(finish);
    else socket.once('close', finish);
    socket.destroy();
  };
}

module.exports = { installOnce };
