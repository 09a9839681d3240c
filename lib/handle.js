'use strict';
// Native handles and the dispatch of their events to the JS object that owns them.
const { executionAsyncId } = require('async_hooks');
const binding = require('./binding');

const { Handle, TCP, PIPE } = binding;

const kOnRead = Symbol('cnet.onRead');
const kOnConnect = Symbol('cnet.onConnect');
const kOnWrite = Symbol('cnet.onWrite');
const kOnShutdown = Symbol('cnet.onShutdown');
const kOnClose = Symbol('cnet.onClose');
const kOnConnection = Symbol('cnet.onConnection');

// Each callback runs with `this` = the native handle; `owner` is its Socket or Server.
binding.setCallbacks(
  function onread(nread, arrayBuffer, offset) {
    const { owner } = this;
    if (!owner) return;
    // No arrayBuffer: an error, or the bytes are in the socket's `onread` buffer.
    owner[kOnRead](nread, arrayBuffer === undefined ? undefined : Buffer.from(arrayBuffer, offset, nread));
  },
  function onconnection(status, client) { if (this.owner) this.owner[kOnConnection](status, client); },
  function onconnect(status) { if (this.owner) this.owner[kOnConnect](status, this); },
  function onwrite(status) { if (this.owner) this.owner[kOnWrite](status); },
  function onshutdown(status) { if (this.owner) this.owner[kOnShutdown](status); },
  function onclose() { if (this.owner) this.owner[kOnClose](this); },
);

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
  kOnRead,
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
  UV_READABLE: binding.UV_READABLE,
  UV_WRITABLE: binding.UV_WRITABLE,
  TCP_IPV6ONLY: binding.TCP_IPV6ONLY,
  TCP_REUSEPORT: binding.TCP_REUSEPORT,
};
