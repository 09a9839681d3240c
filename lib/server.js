'use strict';
// net.Server: listens on a native TCP or pipe handle and wraps accepted handles in Sockets.
const EventEmitter = require('events');
const dns = require('dns');
const args = require('./args');
const channels = require('./channels');
const compat = require('./compat');
const errors = require('./errors');
const { blockListOption, isBlocked } = require('./blocklist');
const { Socket, kAcceptedHandle } = require('./socket');
const { BoundSocket, adoptBoundSocket } = require('./bound-socket');
const { callableWithoutNew } = require('./callable');
const workers = require('./cluster');
const { openDescriptor } = require('./descriptor');
const {
  Handle, createHandle, initAcceptedHandle, kOnConnection, kOnClose, UV_EINVAL, UV_READABLE, UV_WRITABLE, TCP_IPV6ONLY, TCP_REUSEPORT,
} = require('./handle');

class Server extends EventEmitter {
  constructor(options, connectionListener) {
    super();
    if (typeof options === 'function') {
      connectionListener = options;
      options = {};
    } else if (options == null || typeof options === 'object') {
      options = { ...options };
    } else {
      throw errors.invalidArgType('options', 'object', options);
    }
    if (options.keepAliveInitialDelay !== undefined) {
      args.validateNumber(options.keepAliveInitialDelay, 'options.keepAliveInitialDelay');
    }
    if (options.highWaterMark !== undefined) {
      args.validateNumber(options.highWaterMark, 'options.highWaterMark');
    }
    if (typeof connectionListener === 'function') this.on('connection', connectionListener);

    this._connections = 0;
    this._handle = null;
    this._listening = false;
    this._unrefed = false;
    this._pipeName = undefined;
    this._asyncContext = undefined;
    this._generation = 0;
    this._primaryQuery = 0;
    this._primaryHandle = null;
    // Connections sent to other processes (lib/ipc.js): Node's IPC keeps a list
    // per process that counts them, which getConnections() and close() ask.
    this._usingWorkers = false;
    this._workers = [];
    this.allowHalfOpen = Boolean(options.allowHalfOpen);
    this.pauseOnConnect = Boolean(options.pauseOnConnect);
    this.noDelay = Boolean(options.noDelay);
    this.keepAlive = Boolean(options.keepAlive);
    this.keepAliveInitialDelay = ~~(Math.max(options.keepAliveInitialDelay || 0, 0) / 1000);
    this.highWaterMark = options.highWaterMark;
    this.maxConnections = undefined;
    // In a cluster worker (round-robin): close connections past maxConnections
    // rather than turn them back to the primary (Node 22.12+).
    this.dropMaxConnection = false;
    const blockList = blockListOption(options);
    if (blockList) this.blockList = blockList;
  }

  listen(...argv) {
    const [normalized, cb] = args.normalizeConnectArgs(argv);
    if (this._handle) throw errors.codedError('ERR_SERVER_ALREADY_LISTEN');
    channels.publishListenStart(this, normalized);
    // listen(handle) and listen({ handle }): a server or socket stands for its handle.
    const options = normalized._handle || normalized.handle || normalized;
    if (isForeignHandle(options)) throw foreignHandleError();
    if (options.signal !== undefined && this._closeOnAbort(options.signal, !options.host)) return this;
    if (cb !== null) this.once('listening', cb);
    // (handle|path|port, backlog) or (port, host, backlog); a handle or a
    // descriptor takes no options.backlog, as in built-in net.
    const backlogFromArgs = toNumber(argv.length > 1 && argv[1]) || toNumber(argv.length > 2 && argv[2]);
    if (options instanceof Handle) {
      this._listenOnHandle(options, backlogFromArgs);
      return this;
    }
    if (options instanceof BoundSocket) {
      const { handle, path } = adoptBoundSocket(options, this);
      if (path !== undefined) this._pipeName = path;
      this._listenOnHandle(handle, backlogFromArgs);
      return this;
    }
    if (typeof options.fd === 'number' && options.fd >= 0) {
      this._listen2(null, -1, -1, backlogFromArgs, options.fd, 0);
      return this;
    }
    if (argv.length === 0 || typeof argv[0] === 'function' ||
        (options.port === undefined && 'port' in options) || options.port === null) {
      options.port = 0;
    }
    const backlog = options.backlog || backlogFromArgs;
    if (typeof options.port === 'number' || typeof options.port === 'string') {
      const port = args.validatePort(options.port, 'options.port');
      if (options.host) this._lookupAndListen(port, options.host, backlog, options);
      else this._listenOn(null, port, 4, backlog, options);
      return this;
    }
    if (options.path && args.isPipeName(options.path)) {
      // An abstract name has no file whose mode could change.
      if (options.path[0] === '\0' && (options.readableAll || options.writableAll)) {
        throw errors.invalidArgValue('options', options,
          'can not set readableAll or writableAllt to true when path is abstract unix socket');
      }
      this._pipeName = options.path;
      this._listenOn(options.path, -1, -1, backlog, options);
      return this;
    }
    if (!('port' in options) && !('path' in options)) {
      throw errors.invalidArgValue('options', options, 'must have the property "port" or "path"');
    }
    throw errors.invalidArgValue('options', options);
  }

  // listen({ signal }): abort closes the server; an aborted signal means no listen at all.
  _closeOnAbort(signal, listensAtOnce) {
    args.validateAbortSignal(signal, 'options.signal');
    if (signal.aborted) {
      // Built-in net listens anyway and closes on the next tick; where it listens at
      // once (no host to look up), its listen trace ends on the tick after.
      process.nextTick(() => this.close());
      if (listensAtOnce) process.nextTick(() => channels.publishListenEnd(this));
      return true;
    }
    signal.addEventListener('abort', () => this.close(), { once: true });
    return false;
  }

  _lookupAndListen(port, host, backlog, options) {
    if (typeof host !== 'string') throw errors.invalidArgType('hostname', 'string', host);
    const generation = this._generation;
    const listenOn = (err, address, addressFamily) => {
      // close() or an earlier listen() that already bound makes this lookup moot.
      if (generation !== this._generation || this._handle) return;
      if (err) this.emit('error', err);
      else this._listenOn(address, port, addressFamily, backlog, options);
    };
    if (!compat.listenSkipsLinkLocal) {
      dns.lookup(host, listenOn);
      return;
    }
    dns.lookup(host, { all: true }, (err, addresses) => {
      if (err) {
        listenOn(err);
        return;
      }
      const chosen = addresses.find((entry) => !isIPv6LinkLocal(entry.address)) || addresses[0];
      listenOn(null, chosen.address, chosen.family);
    });
  }

  // Binds and listens now; 'listening' or 'error' follows on the next tick.
  // Goes through _listen2, which code that intercepts listen() overrides.
  _listenOn(address, port, addressFamily, backlog, options) {
    const pipe = port === -1;
    if (workers.listensThroughPrimary(options)) {
      this._listenThroughPrimary(address, port, addressFamily, backlog, pipe ? undefined : bindFlags(options), options);
      return;
    }
    const flags = bindFlags(options) | (workers.sharesPortInWorker(options) ? TCP_REUSEPORT : 0);
    this._listen2(address, port, addressFamily, backlog, undefined, pipe ? undefined : flags);
    if (pipe && this._handle && (options.readableAll || options.writableAll)) {
      const mode = (options.readableAll ? UV_READABLE : 0) | (options.writableAll ? UV_WRITABLE : 0);
      const chmodErr = this._handle.chmod(mode);
      if (chmodErr) {
        this._handle.close();
        this._handle = null;
        this._listening = false;
        throw errors.errnoException(chmodErr, 'uv_pipe_chmod');
      }
    }
  }

  // In a cluster worker the primary listens (lib/cluster.js); a later listen()
  // or a close() before its answer makes the answer moot.
  _listenThroughPrimary(address, port, addressType, backlog, flags, options) {
    const query = ++this._primaryQuery;
    const generation = this._generation;
    const serverQuery = { address, port, addressType, fd: undefined, flags, backlog, ...options };
    workers.cluster._getServer(this, serverQuery, (status, primaryHandle) => {
      if (query !== this._primaryQuery || generation !== this._generation) {
        if (primaryHandle) primaryHandle.close();
        return;
      }
      let err = status;
      if (err === 0 && port > 0 && typeof primaryHandle.getsockname === 'function') {
        const out = {};
        if (primaryHandle.getsockname(out) === 0 && out.port !== port) err = UV_EADDRINUSE;
      }
      if (err) {
        this.emit('error', errors.exceptionWithHostPort(err, 'bind', address, port));
        return;
      }
      this._listenOnPrimaryHandle(primaryHandle, port === -1, backlog, `${addressType}:${address}:${port}`);
    });
  }

  // The primary's answer: a built-in listening handle to share (taken over
  // through a duplicate descriptor), or the round-robin stand-in that hands
  // over each accepted connection.
  _listenOnPrimaryHandle(primaryHandle, pipe, backlog, connectionKey) {
    let handle;
    if (workers.descriptorOf(primaryHandle) >= 0) {
      const opened = workers.adoptDescriptorOf(primaryHandle);
      if (opened.error) {
        primaryHandle.close();
        this._failListen(null, opened.error, null, -1);
        return;
      }
      handle = opened.handle;
      handle.owner = this;
      this._primaryHandle = primaryHandle;
    } else {
      handle = new workers.PrimaryListener(primaryHandle, pipe);
      handle.owner = this;
      primaryHandle.onconnection = (status, builtinClient) => this._acceptFromPrimary(builtinClient);
    }
    const err = handle.listen(backlog || 511);
    if (err) {
      this._failListen(handle, err, null, -1);
      return;
    }
    workers.ownHandle(primaryHandle, this);
    this._connectionKey = connectionKey;
    this._activate(handle);
  }

  // A connection the primary accepted: a cnet socket over its descriptor.
  _acceptFromPrimary(builtinClient) {
    const opened = workers.adoptDescriptorOf(builtinClient);
    builtinClient.close();
    if (opened.error) {
      this.emit('error', errors.errnoException(opened.error, 'accept'));
      return;
    }
    this[kOnConnection](0, opened.handle);
  }

  // Built-in net's name for the step that makes the listening handle: a
  // descriptor (fd), a pipe (port -1) or a TCP address (null: any address).
  _listen2(address, port, addressType, backlog, fd, flags) {
    if (typeof fd === 'number' && fd >= 0) {
      this._listenOnDescriptor(fd, backlog);
      return;
    }
    const pipe = port === -1;
    let handle = createHandle(pipe, this);
    let err;
    if (pipe) {
      err = handle.bindPath(address, compat.pipePathsTruncate);
    } else if (address == null) {
      // No host: the IPv6 any-address (dual stack), else IPv4's.
      const anyFlags = flags & (compat.ipv6OnlyWithoutHost ? ~0 : ~TCP_IPV6ONLY);
      address = '::';
      addressType = 6;
      err = handle.bind('::', port, 6, anyFlags);
      if (err) {
        handle.close();
        handle = createHandle(false, this);
        address = '0.0.0.0';
        addressType = 4;
        err = handle.bind('0.0.0.0', port, 4, anyFlags & ~TCP_IPV6ONLY);
      }
    } else {
      err = handle.bind(address, port, addressType, flags);
    }
    if (!err) err = handle.listen(backlog || 511);
    if (err) {
      this._failListen(handle, err, address, port);
      return;
    }
    this._connectionKey = `${addressType}:${address}:${port}`;
    this._activate(handle);
  }

  // listen(handle): takes over a cnet handle (a cnet server's or socket's), as
  // built-in net takes over one of its own; errors name no address (port -1).
  _listenOnHandle(handle, backlog) {
    handle.owner = this;
    const err = handle.listen(backlog || 511);
    if (err) this._failListen(handle, err, null, -1);
    else this._activate(handle);
  }

  // listen({ fd }): a descriptor that is not a socket libuv can take fails with EINVAL, asynchronously.
  _listenOnDescriptor(fd, backlog) {
    let opened;
    try {
      opened = openDescriptor(fd, this);
    } catch (err) {
      if (typeof err.code !== 'string') throw err;
      opened = { handle: null, error: UV_EINVAL };
    }
    const err = opened.error || opened.handle.listen(backlog || 511);
    if (err) {
      this._failListen(opened.handle, err, null, null);
      return;
    }
    this._connectionKey = '-1:null:-1';
    this._activate(opened.handle);
  }

  // Closes the handle that could not listen (if any); 'error' follows on the next tick.
  _failListen(handle, err, address, port) {
    if (handle) handle.close();
    const ex = errors.uvExceptionWithHostPort(err, 'listen', address, port);
    process.nextTick(() => {
      channels.publishListenError(this, ex);
      this.emit('error', ex);
    });
  }

  // The handle listens: 'listening' follows on the next tick.
  _activate(handle) {
    this._handle = handle;
    this._asyncContext = handle.asyncContext;
    this._listening = true;
    if (this._unrefed) handle.unref();
    process.nextTick(() => {
      channels.publishListenEnd(this);
      if (this._handle === handle) this.emit('listening');
    });
  }

  [kOnConnection](status, clientHandle) {
    if (status < 0) {
      this.emit('error', errors.errnoException(status, 'accept'));
      return;
    }
    initAcceptedHandle(clientHandle, this._handle);
    if (this._overConnectionLimit()) {
      this._drop(clientHandle);
      return;
    }
    if (this._fromBlockedAddress(clientHandle)) {
      // Closed without an event, as built-in net does.
      clientHandle.close();
      return;
    }
    const socket = new Socket({
      [kAcceptedHandle]: clientHandle,
      allowHalfOpen: this.allowHalfOpen,
      pauseOnCreate: this.pauseOnConnect,
      noDelay: this.noDelay,
      keepAlive: this.keepAlive,
      keepAliveInitialDelay: this.keepAliveInitialDelay * 1000,
      readableHighWaterMark: this.highWaterMark,
      writableHighWaterMark: this.highWaterMark,
    });
    this._connections++;
    socket.server = this;
    socket._server = this;
    this.emit('connection', socket);
    channels.publishServerSocket(socket);
  }

  _overConnectionLimit() {
    const limit = this.maxConnections;
    if (typeof limit !== 'number' || (limit === 0 && !compat.zeroMaxConnectionsIsALimit)) return false;
    return this._connections >= limit;
  }

  _fromBlockedAddress(clientHandle) {
    if (!this.blockList || clientHandle.pipe) return false;
    const remote = clientHandle.getpeername();
    if (typeof remote !== 'object') return false;
    return isBlocked(this.blockList, remote.address, args.ipFamily(remote.address));
  }

  // Closes a connection beyond maxConnections and reports it with the 'drop' event.
  _drop(clientHandle) {
    const data = {};
    if (!clientHandle.pipe) {
      const local = clientHandle.getsockname();
      const remote = clientHandle.getpeername();
      if (typeof local === 'object') {
        data.localAddress = local.address;
        data.localPort = local.port;
        data.localFamily = local.family;
      }
      if (typeof remote === 'object') {
        data.remoteAddress = remote.address;
        data.remotePort = remote.port;
        data.remoteFamily = remote.family;
      }
    }
    clientHandle.close();
    this.emit('drop', data);
  }

  [kOnClose](handle) {
    handle.owner = null;
  }

  // events.captureRejections: a rejected async 'connection' listener destroys
  // that connection with the error; other events' rejections become 'error'.
  [EventEmitter.captureRejectionSymbol](err, event, socket) {
    if (event === 'connection') socket.destroy(err);
    else this.emit('error', err);
  }

  close(cb) {
    this._generation++;
    if (typeof cb === 'function') {
      if (!this._handle) this.once('close', () => cb(errors.codedError('ERR_SERVER_NOT_RUNNING')));
      else this.once('close', cb);
    }
    if (this._handle) {
      this._handle.close();
      this._handle = null;
      this._listening = false;
    }
    if (this._primaryHandle) {
      this._primaryHandle.close();
      this._primaryHandle = null;
    }
    if (this._usingWorkers && this._workers.length > 0) {
      // 'close' waits until every process holding sent connections says they
      // have all closed; meanwhile the wait counts as one connection here.
      let left = this._workers.length;
      this._connections++;
      const onWorkerClose = () => {
        if (--left !== 0) return;
        this._connections = 0;
        this._emitCloseIfDrained();
      };
      for (const list of this._workers) list.close(onWorkerClose);
    } else {
      this._emitCloseIfDrained();
    }
    return this;
  }

  _emitCloseIfDrained() {
    if (this._handle || this._connections) return;
    const emitClose = () => this.emit('close');
    // Bun: 'close' in the context of the listen(), as its other events (handle.js).
    if (this._asyncContext) this._asyncContext.runInAsyncScope(process.nextTick, process, emitClose);
    else process.nextTick(emitClose);
  }

  address() {
    if (this._handle && !this._handle.pipe) {
      const out = this._handle.getsockname();
      if (typeof out === 'number') throw errors.errnoException(out, 'address');
      return out;
    }
    if (this._pipeName) return this._pipeName;
    return null;
  }

  getConnections(cb) {
    args.validateFunction(cb, 'callback');
    let left = this._usingWorkers ? this._workers.length : 0;
    let total = this._connections;
    if (left === 0) {
      process.nextTick(cb, null, total);
      return this;
    }
    const onCount = (err, count) => {
      if (left <= 0) return;
      if (err) {
        left = -1;
        process.nextTick(cb, err);
        return;
      }
      total += count;
      if (--left === 0) process.nextTick(cb, null, total);
    };
    for (const list of this._workers) list.getConnections(onCount);
    return this;
  }

  // Node's IPC calls this the first time it sends one of this server's connections to a process.
  _setupWorker(socketList) {
    this._usingWorkers = true;
    this._workers.push(socketList);
    socketList.once('exit', (list) => {
      const at = this._workers.indexOf(list);
      if (at >= 0) this._workers.splice(at, 1);
    });
  }

  get listening() {
    return this._listening;
  }

  ref() {
    this._unrefed = false;
    if (this._handle) this._handle.ref();
    return this;
  }

  unref() {
    this._unrefed = true;
    if (this._handle) this._handle.unref();
    return this;
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  Server.prototype[Symbol.asyncDispose] = function asyncDispose() {
    if (!this._handle) return Promise.resolve();
    return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())));
  };
}

// listen() options that become flags of the bind. reusePort (SO_REUSEPORT) lets
// several listeners share a port with the kernel spreading connections over them.
function bindFlags(options) {
  return (options.ipv6Only ? TCP_IPV6ONLY : 0) | (options.reusePort === true ? TCP_REUSEPORT : 0);
}

// An object of built-in net's (a TCP or pipe wrap, Bun's listener, Deno's wrap,
// which shows no fd but a wrap's methods) or anything else with a descriptor
// that is not a plain { fd }: its descriptor already has an owner that watches
// and will close it, so cnet refuses to share it.
function isForeignHandle(value) {
  if (value === null || typeof value !== 'object' || value instanceof Handle) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return false;
  return typeof value.fd === 'number' || (typeof value.listen === 'function' && typeof value.getsockname === 'function');
}

function foreignHandleError() {
  return errors.nodeError(Error, 'ERR_CNET_UNSUPPORTED',
    'cnet: listen() cannot take over a handle of built-in net; pass a cnet server, or { fd } of a descriptor nothing else owns');
}

// fe80::/10: an address that needs a zone to be bound.
function isIPv6LinkLocal(address) {
  return args.ipFamily(address) === 6 && (parseInt(address.split(':')[0], 16) & 0xffc0) === 0xfe80;
}

// libuv's error numbers on Unix are negated errno values.
const UV_EADDRINUSE = -require('os').constants.errno.EADDRINUSE;

function toNumber(x) {
  const n = Number(x);
  return n >= 0 ? n : false;
}

module.exports = { Server: callableWithoutNew(Server) };
