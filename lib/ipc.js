'use strict';
// cnet servers and sockets sent to other processes: `subprocess.send(message,
// handle)`, `process.send()` and cluster's `worker.send()`.
//
// Sending. Node's IPC channel takes only built-in net's objects, whose handle
// it passes with SCM_RIGHTS. A cnet Server or Socket goes as a built-in one
// made for the purpose (a carrier): it holds a duplicate of the descriptor,
// and neither reads nor accepts on it, so no byte goes through built-in net.
// The carrier closes once the message has left (a socket without keepOpen:
// once the receiver acknowledged it, as Node does). A socket sent without
// keepOpen stops reading at once and leaves this process when the message has
// left, as built-in net's does.
//
// Receiving (under cnet/register, where userland's net is cnet). Node turns a
// received handle into a built-in Server (listening on it) or Socket (reading
// it) before the 'message' listeners run. cnet asks Node for the plain handle
// instead, by relabelling the message before Node's own listener reads its
// type, then builds a cnet Server or Socket over a duplicate of its descriptor
// and closes the plain handle, which nothing watched.
const childProcess = require('child_process');
const builtinNet = require('node:net');
const { Handle } = require('./handle');
const { duplicateDescriptor } = require('./descriptor');
const workers = require('./cluster');

const kSendWrapped = Symbol('cnet.ipcSend');
const kReceiveWrapped = Symbol('cnet.ipcReceive');

let cnetServer = null;
let cnetSocket = null;
let receiving = false;
// The plain handles of messages relabelled for conversion, with the kind the sender meant.
const relabelled = new WeakMap();

// Node's IPC only carries handles between Node processes; Bun and Deno refuse them.
const supported = !process.versions.bun && !process.versions.deno
  && typeof childProcess.ChildProcess === 'function'
  && typeof childProcess.ChildProcess.prototype.spawn === 'function';

function isCnet(value) {
  return value instanceof cnetServer || value instanceof cnetSocket || value instanceof Handle;
}

// The descriptor of a cnet Server, Socket or handle, -1 for none.
function cnetDescriptorOf(value) {
  const handle = value instanceof Handle ? value : value._handle;
  const fd = handle ? handle.fd : -1;
  return typeof fd === 'number' ? fd : -1;
}

// A built-in Socket over a duplicate of fd that never reads, or null.
function holderOf(fd) {
  const copy = duplicateDescriptor(fd);
  if (copy < 0) return null;
  return new builtinNet.Socket({ fd: copy, readable: false, writable: false });
}

// The built-in object to send in place of a cnet one, and what to do once the
// message has left (sent) or if it never will (dropped).
function carrierFor(value, keepOpen) {
  const holder = holderOf(cnetDescriptorOf(value));
  // A bare handle (server._handle) goes as the runtime's own handle would.
  if (value instanceof Handle) {
    if (!holder) return { carrier: value, sent() {}, dropped() {} };
    const release = () => holder.destroy();
    return { carrier: holder._handle, sent: release, dropped: release };
  }
  if (value instanceof cnetServer) {
    const carrier = new builtinNet.Server();
    if (holder) carrier._handle = holder._handle;
    const release = () => { if (holder) holder.destroy(); };
    return { carrier, sent: release, dropped: release };
  }
  if (!holder) return { carrier: new builtinNet.Socket(), sent() {}, dropped() {} };
  // Through the carrier's server Node counts the connection as sent: it calls
  // the server's _setupWorker() and, without keepOpen, takes it off _connections.
  holder.server = value.server;
  if (keepOpen) {
    const release = () => holder.destroy();
    return { carrier: holder, sent: release, dropped: release };
  }
  // Without keepOpen Node takes the holder's handle and closes it on the receiver's ACK.
  const handle = detach(value);
  return {
    carrier: holder,
    sent() { handle.close(); },
    dropped() {
      handle.close();
      holder.destroy();
    },
  };
}

// A socket sent without keepOpen: it reads no more, and its handle, which the
// caller closes once the message has left, no longer reaches it. Its server
// no longer counts it here (Node's IPC has taken it off).
function detach(socket) {
  const handle = socket._handle;
  socket.setTimeout(0);
  handle.readStop();
  handle.owner = null;
  socket._handle = null;
  socket._server = null;
  return handle;
}

function sendWithCnet(send) {
  return function sendWithCnetHandles(message, handle, options, callback) {
    if (handle === null || typeof handle !== 'object' || !isCnet(handle)) return Reflect.apply(send, this, arguments);
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    const keepOpen = options !== null && typeof options === 'object' && Boolean(options.keepOpen);
    const target = this;
    const carrier = carrierFor(handle, keepOpen);
    let result;
    try {
      result = Reflect.apply(send, target, [message, carrier.carrier, options, (err) => {
        if (err) carrier.dropped();
        else carrier.sent();
        // Without a callback Node reports a failed send as the target's 'error'.
        if (typeof callback === 'function') callback(err);
        else if (err) target.emit('error', err);
      }]);
    } catch (err) {
      carrier.dropped();
      throw err;
    }
    return result;
  };
}

function wrapSend(target) {
  if (typeof target.send !== 'function' || target.send[kSendWrapped]) return;
  const send = sendWithCnet(target.send);
  send[kSendWrapped] = true;
  target.send = send;
}

// Node's own message names start with NODE_ (cluster's, the handle protocol's).
function isInternal(message) {
  return message !== null && typeof message === 'object' && typeof message.cmd === 'string'
    && message.cmd.startsWith('NODE_');
}

// The receiving end of Node's count of the sockets one server sent (by its
// key): the sender's getConnections() and close() ask how many are still open
// here, as Node's own receiving list answers for the sockets it builds.
class SentSocketCount {
  constructor(target, key) {
    this.target = target;
    this.key = key;
    this.open = 0;
    this.closeWanted = false;
    target.on('internalMessage', (message) => {
      if (message === null || typeof message !== 'object' || message.key !== key) return;
      if (message.cmd === 'NODE_SOCKET_NOTIFY_CLOSE') {
        if (this.open === 0) this.reportAllClosed();
        else this.closeWanted = true;
      } else if (message.cmd === 'NODE_SOCKET_GET_COUNT') {
        this.reply({ cmd: 'NODE_SOCKET_COUNT', key, count: this.open });
      }
    });
  }

  add(socket) {
    this.open++;
    socket.once('close', () => {
      if (--this.open === 0 && this.closeWanted) {
        this.closeWanted = false;
        this.reportAllClosed();
      }
    });
  }

  reportAllClosed() {
    this.reply({ cmd: 'NODE_SOCKET_ALL_CLOSED', key: this.key });
  }

  reply(message) {
    if (this.target.connected) this.target._send(message, undefined, true);
  }
}

const sentCounts = new WeakMap();
function sentCountOf(target, key) {
  if (!sentCounts.has(target)) sentCounts.set(target, new Map());
  const counts = sentCounts.get(target);
  if (!counts.has(key)) counts.set(key, new SentSocketCount(target, key));
  return counts.get(key);
}

// A cnet object over the plain handle's descriptor, passed to done(value):
// a Server once it listens, a Socket at once. The plain handle is closed.
function adopt(kind, handle, done) {
  const copy = duplicateDescriptor(workers.descriptorOf(handle));
  handle.close();
  if (copy < 0) {
    done(undefined);
    return;
  }
  if (kind === 'net.Socket') {
    done(new cnetSocket({ fd: copy, readable: true, writable: true }));
    return;
  }
  const server = new cnetServer();
  server.listen({ fd: copy }, () => done(server));
}

function receiveWithCnet(target) {
  if (target[kReceiveWrapped]) return;
  target[kReceiveWrapped] = true;
  target.prependListener('internalMessage', (message, handle) => {
    if (!handle || message === null || typeof message !== 'object' || message.cmd !== 'NODE_HANDLE') return;
    if (message.type !== 'net.Server' && message.type !== 'net.Socket') return;
    if (isInternal(message.msg)) return;
    relabelled.set(handle, { kind: message.type, key: message.key });
    message.type = 'net.Native';
  });
  const emit = target.emit;
  target.emit = function emitWithCnet(event, message, handle) {
    if (event !== 'message' || handle === null || typeof handle !== 'object' || !relabelled.has(handle)) {
      return Reflect.apply(emit, this, arguments);
    }
    const { kind, key } = relabelled.get(handle);
    relabelled.delete(handle);
    adopt(kind, handle, (value) => {
      if (key && value) sentCountOf(this, key).add(value);
      Reflect.apply(emit, this, ['message', message, value]);
    });
    return true;
  };
}

// spawn()'s stdio takes built-in sockets by their handle; a cnet socket goes
// as its descriptor, which the child inherits the same way.
function stdioWithDescriptors(options) {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.stdio)) return options;
  if (!options.stdio.some((entry) => entry instanceof cnetSocket)) return options;
  const stdio = options.stdio.map((entry) => {
    const fd = entry instanceof cnetSocket ? cnetDescriptorOf(entry) : -1;
    return fd >= 0 ? fd : entry;
  });
  return { ...options, stdio };
}

// Every ChildProcess with an IPC channel gets it set up in spawn(); cluster's
// fork() goes through the same prototype.
function hookChildProcesses() {
  const proto = childProcess.ChildProcess.prototype;
  const spawn = proto.spawn;
  proto.spawn = function spawnWithCnetIpc(options) {
    const result = Reflect.apply(spawn, this, [stdioWithDescriptors(options)]);
    if (this.channel) {
      wrapSend(this);
      if (receiving) receiveWithCnet(this);
    }
    return result;
  };
}

function install(Server, Socket) {
  cnetServer = Server;
  cnetSocket = Socket;
  if (!supported) return;
  hookChildProcesses();
  if (process.channel) wrapSend(process);
}

// cnet/register: handles received from now on arrive as cnet objects.
function receiveAsCnet() {
  if (!supported || receiving) return;
  receiving = true;
  if (process.channel) receiveWithCnet(process);
}

module.exports = { install, receiveAsCnet };
