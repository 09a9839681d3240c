'use strict';
// Servers in cluster workers. As with built-in net, a worker's listen() asks the
// primary (cluster._getServer) and the primary owns the listening socket. Its
// reply is either a built-in listening handle to share (on Bun: { sharedFd }),
// or (round-robin, the default outside Windows) a stand-in whose onconnection
// receives each accepted built-in handle. cnet takes over those sockets through a
// duplicate descriptor (closing each accepted built-in handle at once, the shared
// one when the server closes), so no byte goes through built-in net.
const cluster = require('cluster');
const { openDescriptor, duplicateDescriptor } = require('./descriptor');

// Deno's cluster hands each connection over as a handle that shows no
// descriptor, which cnet cannot take over; there cnet's workers bind a TCP
// port themselves with SO_REUSEPORT (the kernel balances), as with reusePort.
const workersBindThemselves = Boolean(process.versions.deno);

// A listen() that goes through the primary: in a worker, unless exclusive or
// reusePort (which binds in the worker from Node 23.1).
function listensThroughPrimary(options) {
  return cluster.isWorker === true && typeof cluster._getServer === 'function' && !options.exclusive
    && !options.reusePort && !workersBindThemselves;
}

// A TCP listen in a worker that must share its port with SO_REUSEPORT (Deno).
function sharesPortInWorker(options) {
  return cluster.isWorker === true && workersBindThemselves && !options.exclusive;
}

// The descriptor of a built-in handle from the primary: Node's handles have
// fd; Bun's cluster shares a listening socket as { sharedFd }. -1 for none.
function descriptorOf(builtinHandle) {
  const fd = typeof builtinHandle.fd === 'number' ? builtinHandle.fd : builtinHandle.sharedFd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

// A cnet handle over a duplicate of a built-in handle's socket, or { error };
// the built-in handle stays open (its close() is what tells the primary).
function adoptDescriptorOf(builtinHandle) {
  const copy = duplicateDescriptor(descriptorOf(builtinHandle));
  if (copy < 0) return { handle: null, error: copy };
  return openDescriptor(copy, null);
}

// Node's cluster finds the server behind a handle it gave out by the handle's
// owner symbol: a worker's disconnect closes that server (and waits for it),
// and a round-robin connection for a server at maxConnections goes back to the
// primary unless server.dropMaxConnection. The symbol is internal; Node puts
// the same one on every ChildProcess's handle, which is where it is read.
let ownerSymbol;
function findOwnerSymbol() {
  if (ownerSymbol !== undefined) return ownerSymbol;
  ownerSymbol = null;
  try {
    const { ChildProcess } = require('child_process');
    const handle = new ChildProcess()._handle;
    if (handle) ownerSymbol = Object.getOwnPropertySymbols(handle).find((s) => s.description === 'owner_symbol') || null;
  } catch {
    ownerSymbol = null;
  }
  return ownerSymbol;
}

// Makes `server` the owner of a handle the primary gave. Where the symbol is
// not found (Bun), close(cb) on the handle, which is how a disconnect closes
// it there, closes the server and calls cb once the server has closed.
function ownHandle(primaryHandle, server) {
  const symbol = findOwnerSymbol();
  if (symbol) {
    primaryHandle[symbol] = server;
    return;
  }
  const close = primaryHandle.close;
  primaryHandle.close = function closeFromCluster(cb) {
    if (typeof cb !== 'function') return Reflect.apply(close, this, arguments);
    server.close(() => cb());
    return undefined;
  };
}

// What cnet's Server keeps as its handle for a round-robin listen: the
// primary's stand-in, through the methods Server calls on a handle.
class PrimaryListener {
  constructor(standIn, pipe) {
    this.standIn = standIn;
    this.pipe = pipe;
    this.owner = null;
  }

  listen() {
    return this.standIn.listen();
  }

  getsockname() {
    const out = {};
    if (typeof this.standIn.getsockname === 'function') this.standIn.getsockname(out);
    return out;
  }

  close() {
    this.standIn.close();
  }

  ref() {
    this.standIn.ref();
  }

  unref() {
    this.standIn.unref();
  }
}

module.exports = { cluster, listensThroughPrimary, sharesPortInWorker, descriptorOf, adoptDescriptorOf, ownHandle, PrimaryListener };
