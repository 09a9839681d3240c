'use strict';
// Native handles and the dispatch of their events to the JS object that owns them.
const { executionAsyncId } = require('async_hooks');
// Node exposes the global Buffer through a getter; the module's binding is a plain load.
const { Buffer } = require('buffer');
const binding = require('./binding');

const { Handle, TCP, PIPE } = binding;

const kOnConnect = Symbol('cnet.onConnect');
const kOnWrite = Symbol('cnet.onWrite');
const kOnShutdown = Symbol('cnet.onShutdown');
const kOnClose = Symbol('cnet.onClose');
const kOnConnection = Symbol('cnet.onConnection');

// The ArrayBuffer small reads are copied into (src/read_pool.h); the native
// side hands over a new one when this one is full.
let readPool = null;

// Reads go to one function (Socket's) called directly: looking the method up
// on sockets of many shapes would be a megamorphic lookup per read.
let readReceiver = null;
function receiveReadsWith(fn) {
  readReceiver = fn;
}

// Each callback runs with `this` = the native handle; `owner` is its Socket or Server.
binding.setCallbacks({
  onread(nread, offset, newPool, own) {
    if (newPool !== undefined) readPool = newPool;
    const { owner } = this;
    if (!owner) return;
    readReceiver.call(owner, nread, offset < 0 ? undefined : Buffer.from(own === undefined ? readPool : own, offset, nread));
  },
  onconnection(status, client) { if (this.owner) this.owner[kOnConnection](status, client); },
  onconnect(status) { if (this.owner) this.owner[kOnConnect](status, this); },
  onwrite(status, batch) { if (this.owner) this.owner[kOnWrite](status, batch); },
  onshutdown(status) { if (this.owner) this.owner[kOnShutdown](status); },
  onclose() { if (this.owner) this.owner[kOnClose](this); },
});

// Writes name their handle by id, which the native side finds far faster than
// it unwraps `this` (src/handle_ids.h).
const { writeBuffer, writeUtf8, coalesceBuffer, coalesceUtf8 } = binding;
Handle.prototype.write = function write(buffer) {
  return writeBuffer(this.id, buffer);
};
Handle.prototype.writeString = function writeString(text) {
  return writeUtf8(this.id, text);
};
// As write/writeString, but a small chunk may wait in the handle's batch to
// leave with the others of this turn (src/coalesce.h): only for writes no
// callback waits on.
Handle.prototype.writeSoon = function writeSoon(buffer) {
  return coalesceBuffer(this.id, buffer);
};
Handle.prototype.writeStringSoon = function writeStringSoon(text) {
  return coalesceUtf8(this.id, text);
};

// Node's http client asks a socket's handle for its async id (keep-alive reuse);
// a cnet handle answers with the async context it was created in.
Handle.prototype.getAsyncId = function getAsyncId() {
  return this.asyncId;
};

function createHandle(pipe, owner) {
  const handle = new Handle(pipe ? PIPE : TCP);
  handle.owner = owner;
  handle.pipe = pipe;
  handle.asyncId = executionAsyncId();
  return handle;
}

module.exports = {
  Handle,
  createHandle,
  receiveReadsWith,
  kOnConnect,
  kOnWrite,
  kOnShutdown,
  kOnClose,
  kOnConnection,
  // True on hosts (Bun) where cnet runs its own loop and the host does not run
  // nextTick jobs between native callbacks made within one turn of that loop.
  privateLoop: binding.privateLoop,
  UV_EOF: binding.UV_EOF,
  UV_ETIMEDOUT: binding.UV_ETIMEDOUT,
  UV_EINVAL: binding.UV_EINVAL,
  UV_EBADF: binding.UV_EBADF,
  UV_READABLE: binding.UV_READABLE,
  UV_WRITABLE: binding.UV_WRITABLE,
  TCP_IPV6ONLY: binding.TCP_IPV6ONLY,
  TCP_REUSEPORT: binding.TCP_REUSEPORT,
};
