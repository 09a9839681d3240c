'use strict';
// Native handles and the dispatch of their events to the JS object that owns them.
const { executionAsyncId, AsyncResource } = require('async_hooks');
// Node exposes the global Buffer through a getter; the module's binding is a plain load.
const { Buffer } = require('buffer');
const binding = require('./binding');

const { Handle, TCP, PIPE } = binding;

const kOnConnect = Symbol('cnet.onConnect');
const kOnWrite = Symbol('cnet.onWrite');
const kOnShutdown = Symbol('cnet.onShutdown');
const kOnClose = Symbol('cnet.onClose');
const kOnConnection = Symbol('cnet.onConnection');
const kOnTls = Symbol('cnet.onTls');

// The ArrayBuffer small reads are copied into (src/read_pool.h); the native
// side hands over a new one when this one is full.
let readPool = null;
// A read's result and its offset in the pool, written by the native side
// before each onread (src/read_pool.h): cheaper than two arguments per read.
const readState = new Int32Array(binding.readState);

// The native side keeps writing into each pool and the read state: neither may
// be detached by a transfer to a worker (chunk.buffer is the pool), as Node
// keeps its own Buffer pool. worker_threads loads with the first pool, not
// with cnet.
let markAsUntransferable = null;
function keepInPlace(arrayBuffer) {
  if (markAsUntransferable === null) {
    ({ markAsUntransferable } = require('worker_threads'));
    markAsUntransferable(binding.readState);
  }
  markAsUntransferable(arrayBuffer);
}

// Reads go to one function (Socket's) called directly: looking the method up
// on sockets of many shapes would be a megamorphic lookup per read.
let readReceiver = null;
function receiveReadsWith(fn) {
  readReceiver = fn;
}

// On a private loop (Bun) the host runs cnet's callbacks in no async context;
// there each handle's events run in the context of the connect() or listen()
// that made it (an accepted handle: its server's), as with Bun's node:net.
// On Node the Node-API callback scope already gives that context.
function inHandleContext(callback) {
  if (!binding.privateLoop) return callback;
  return function dispatchInContext(a, b, c, d) {
    const context = this.asyncContext;
    if (context === undefined) return callback.call(this, a, b, c, d);
    return context.runInAsyncScope(callback, this, a, b, c, d);
  };
}

// Each callback runs with `this` = the native handle; `owner` is its Socket or Server.
const callbacks = {
  onread(newPool, own) {
    const nread = readState[0];
    const offset = readState[1];
    if (newPool !== undefined) {
      keepInPlace(newPool);
      readPool = newPool;
    }
    const { owner } = this;
    if (!owner) return;
    let chunk;
    if (own !== undefined) chunk = own; // a Buffer of exactly the read's bytes
    else if (offset >= 0) chunk = Buffer.from(readPool, offset, nread);
    readReceiver.call(owner, nread, chunk);
  },
  // Through the handle's own onconnection, which instrumentation may have wrapped.
  onconnection(status, client) { this.onconnection(status, client); },
  onconnect(status) { if (this.owner) this.owner[kOnConnect](status, this); },
  onwrite(status, batch) { if (this.owner) this.owner[kOnWrite](status, batch); },
  onshutdown(status) { if (this.owner) this.owner[kOnShutdown](status); },
  onclose() { if (this.owner) this.owner[kOnClose](this); },
  ontls(event, a, b, c) { if (this.owner) this.owner[kOnTls](event, a, b, c); },
};
binding.setCallbacks(Object.fromEntries(Object.entries(callbacks).map(([name, fn]) => [name, inHandleContext(fn)])));

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

// A new connection on a listening handle goes to its owner (a Server), as
// onconnection of Node's handles does.
Handle.prototype.onconnection = function onconnection(status, client) {
  if (this.owner) this.owner[kOnConnection](status, client);
};

// The descriptor, -1 when there is none, as on Node's handles.
Object.defineProperty(Handle.prototype, 'fd', {
  configurable: true,
  get() { return this.fileno(); },
});

// Node's http client asks a socket's handle for its async id (keep-alive
// reuse): the id of the handle's own async context, as for Node's handles.
Handle.prototype.getAsyncId = function getAsyncId() {
  if (this.asyncContext !== undefined) return this.asyncContext.asyncId();
  const id = this.asyncIdOf(executionAsyncId);
  return typeof id === 'number' ? id : executionAsyncId();
};

// The fields JS keeps on a handle, set here alone: for handles JS makes and
// for those a listening handle accepts.
function initHandle(handle, pipe, owner, asyncContext) {
  handle.owner = owner;
  handle.pipe = pipe;
  if (asyncContext !== undefined) handle.asyncContext = asyncContext;
  return handle;
}

function createHandle(pipe, owner) {
  const asyncContext = binding.privateLoop ? new AsyncResource('cnet.handle') : undefined;
  return initHandle(new Handle(pipe ? PIPE : TCP), pipe, owner, asyncContext);
}

// An accepted handle is of its listener's kind and runs in its context (private loop).
function initAcceptedHandle(handle, listener) {
  return initHandle(handle, listener ? listener.pipe : false, null, listener ? listener.asyncContext : undefined);
}

module.exports = {
  Handle,
  createHandle,
  initAcceptedHandle,
  receiveReadsWith,
  kOnConnect,
  kOnWrite,
  kOnShutdown,
  kOnClose,
  kOnConnection,
  kOnTls,
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
