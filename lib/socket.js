'use strict';
// net.Socket: a stream.Duplex over a native TCP or pipe handle.
const { Buffer } = require('buffer');
const { Duplex } = require('stream');
const { isUint8Array } = require('util/types');
const args = require('./args');
const channels = require('./channels');
const compat = require('./compat');
const errors = require('./errors');
const shortcuts = require('./shortcuts');
const { blockListOption } = require('./blocklist');
const { callableWithoutNew } = require('./callable');
const { openDescriptor } = require('./descriptor');
const { BoundSocket, adoptBoundSocket } = require('./bound-socket');
const { connectMethods } = require('./connect');
const tlsInterop = require('./tls-interop');
const tlsRoute = require('./tls-route');
const {
  createHandle, receiveReadsWith, privateLoop, kOnConnect, kOnWrite, kOnShutdown, kOnClose, UV_EOF,
  UV_EBADF,
} = require('./handle');

const kAcceptedHandle = Symbol('cnet.acceptedHandle');

function byteLength(chunk, encoding) {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.length;
}

function toBuffer(chunk, encoding) {
  return typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
}

function isUtf8(encoding) {
  return encoding === 'utf8' || encoding === 'utf-8';
}

// Writes after the peer ended a socket that does not allow half-open fail with EPIPE.
function writeAfterPeerEnded(chunk, encoding, cb) {
  if (!this.writableEnded) return Duplex.prototype.write.call(this, chunk, encoding, cb);
  if (typeof encoding === 'function') cb = encoding;
  const err = new Error('This socket has been ended by the other party');
  err.code = 'EPIPE';
  if (typeof cb === 'function') process.nextTick(cb, err);
  this.destroy(err);
  return false;
}

function onReadableEnd() {
  if (!this.allowHalfOpen) this.write = writeAfterPeerEnded;
}

class Socket extends Duplex {
  constructor(options) {
    tlsRoute.install(Socket);
    if (typeof options === 'number') options = { fd: options };
    else options = { ...options };
    // Checked here so the message is Node's on every runtime; Duplex does the rest.
    if (options.signal !== undefined) args.validateAbortSignal(options.signal, 'signal');
    args.rejectObjectMode(options);
    if (options.keepAliveInitialDelay !== undefined) {
      args.validateNumber(options.keepAliveInitialDelay, 'options.keepAliveInitialDelay');
    }
    if (options.typeOfService !== undefined) {
      args.validateInt32(options.typeOfService, 'options.typeOfService', 0, 255);
    }
    const allowHalfOpen = Boolean(options.allowHalfOpen);
    super({
      ...options,
      allowHalfOpen,
      emitClose: false,
      autoDestroy: true,
      decodeStrings: false,
    });
    const bound = options.handle instanceof BoundSocket ? adoptBoundSocket(options.handle, null) : null;
    const handle = options[kAcceptedHandle] || (bound && bound.handle)
      || (options.fd !== undefined ? socketHandleFromFd(options.fd) : null);
    this.connecting = false;
    this.allowHalfOpen = allowHalfOpen;
    this._handle = null;
    this._host = null;
    // The socket this one is layered on (a TLSSocket's plain socket); net walks it.
    this._parent = null;
    this._peername = null;
    this._sockname = null;
    this._pendingWrite = null;
    this._dispatchResult = null;
    this._writeCallback = null;
    this._shutdownCallback = null;
    this._bytesRead = 0;
    this._bytesDispatched = 0;
    this._hadError = false;
    this._closeEmitted = false;
    this._resetOnClose = false;
    this._timer = null;
    this._unrefed = false;
    this._noDelay = Boolean(options.noDelay);
    this._keepAlive = Boolean(options.keepAlive);
    this._keepAliveDelay = ~~(Math.max(options.keepAliveInitialDelay || 0, 0) / 1000);
    this._keepAliveInterval = undefined;
    this._keepAliveCount = undefined;
    this._typeOfService = options.typeOfService;
    this._attempt = null;
    this._attempts = null;
    // An adopted BoundSocket: bound, not connected; a bound Unix socket names its path as local address.
    this._boundSource = bound !== null;
    this._boundPath = bound ? bound.path : undefined;
    this.timeout = undefined;
    this.server = null;
    this._server = null;
    this._onreadEnd = null;
    this._setOnread(options.onread);
    this.on('end', onReadableEnd);

    if (handle) {
      this._handle = handle;
      handle.owner = this;
      if (bound && handle.pipe) openBoundPipe(handle);
      this._applyHandleOptions();
      // A server's keepAlive option reaches the sockets it accepts; an fd takes none, as in built-in net.
      if (options[kAcceptedHandle]) {
        if (this._keepAlive) handle.setKeepAlive(true, this._keepAliveDelay);
        if (compat.noDelayWhenOpened && !handle.pipe) handle.setNoDelay(true);
      }
      if (options.readable === false || bound) {
        // Nothing to read (yet, for a bound socket): the handle stays stopped, as with built-in net.
      } else if (options.pauseOnCreate) {
        this.readableFlowing = false;
      } else {
        this.read(0);
      }
    }
    const blockList = blockListOption(options);
    if (blockList) this.blockList = blockList;
  }

  // --- connection ---

  connect(...argv) {
    const [options, cb] = args.normalizeConnectArgs(argv);
    channels.publishClientSocket(this, true);
    const { pipe } = args.validateConnectOptions(options);
    if (this.write !== Socket.prototype.write) this.write = Socket.prototype.write;
    if (this.destroyed) {
      this._undestroy();
      this._closeEmitted = false;
      this._handle = null;
      this._peername = null;
      this._sockname = null;
      // The byte counts are the new connection's, as they are its handle's in built-in net.
      this._bytesRead = 0;
      this._bytesDispatched = 0;
    }
    if (cb) this.once('connect', cb);
    this._attempts = null;
    if (!this._handle) this._setHandle(createHandle(pipe, this));
    this.connecting = true;
    if (pipe) {
      this._attempt = { address: options.path, port: undefined, family: 0 };
      const handle = this._handle;
      const result = handle.connectPath(options.path, compat.pipePathsTruncate);
      if (Array.isArray(result)) {
        // Done at once, without libuv (an abstract name on a libuv older than 1.46): reported as libuv would, later.
        setImmediate(() => this[kOnConnect](result[0], handle));
      } else if (result) {
        // A connect that could not start names the local end, which a Unix socket does not have.
        const error = errors.exceptionWithHostPort(result, 'connect', options.path, undefined, 'undefined:undefined');
        process.nextTick(() => this.destroy(error));
      }
    } else {
      this._lookupAndConnect(options);
    }
    return this;
  }

  // A handle about to connect: noDelay and keepAlive wait for the connection.
  _setHandle(handle) {
    this._handle = handle;
    this._applyHandleOptions(false);
  }

  _applyHandleOptions(connected = true) {
    const handle = this._handle;
    if (this._unrefed) handle.unref();
    if (connected) this._applyConnectedOptions();
    if (this._onreadGenerate !== null) this._onreadBuffer = this._onreadGenerate();
    if (isUint8Array(this._onreadBuffer)) handle.useUserBuffer(this._onreadBuffer);
  }

  // The `onread` option: reads land in the caller's buffer and go to its
  // callback instead of the stream. Like net, an onread that is not an object
  // with a Uint8Array (or a function making one) and a callback is ignored.
  _setOnread(onread) {
    this._onreadBuffer = null;
    this._onreadGenerate = null;
    this._onreadCallback = null;
    if (onread === null || typeof onread !== 'object' || typeof onread.callback !== 'function') return;
    if (typeof onread.buffer === 'function') this._onreadGenerate = onread.buffer;
    else if (isUint8Array(onread.buffer)) this._onreadBuffer = onread.buffer;
    else return;
    this._onreadCallback = onread.callback;
  }

  [kOnConnect](status, handle) {
    if (handle !== this._handle || !this.connecting) {
      if (status < 0) this._attemptCanceled(status, handle);
      return;
    }
    if (this._attempts) clearTimeout(this._attempts.timer);
    if (status < 0) {
      this._connectFailed(status);
      return;
    }
    this.connecting = false;
    this._sockname = null;
    this._unrefTimer();
    this._applyConnectedOptions();
    this.emit('connect');
    this.emit('ready');
    const pending = this._pendingWrite;
    if (pending) {
      this._pendingWrite = null;
      this.removeListener('close', pending.onClose);
      if (pending.chunks) this._writev(pending.chunks, pending.cb);
      else this._write(pending.chunk, pending.encoding, pending.cb);
    }
    if (this.readableFlowing !== false && !this.isPaused() && this._handle) this.read(0);
  }

  // Options that act on a connected socket: set once it is (after connect,
  // before 'connect'), as built-in net does; keep-alive set earlier got
  // libuv's 60 s. On Bun, TCP_NODELAY goes on for every TCP socket, once, as
  // Bun's node:net does it.
  _applyConnectedOptions() {
    const handle = this._handle;
    if (this._noDelay || (compat.noDelayWhenOpened && !handle.pipe)) handle.setNoDelay(true);
    if (handle.pipe) return;
    if (this._keepAlive) {
      handle.setKeepAlive(true, this._keepAliveDelay, this._keepAliveInterval, this._keepAliveCount);
    }
    if (this._typeOfService !== undefined) {
      const err = handle.setTypeOfService(this._typeOfService);
      if (err && err !== UV_EBADF) this.emit('error', errors.errnoException(err, 'setTypeOfService'));
    }
  }

  // --- reading ---

  _read() {
    if (this.connecting || !this._handle) {
      if (this.connecting) this.once('connect', () => this._read());
      return;
    }
    this._readStart();
  }

  // handle.reading is public the way Node's is: http.Agent looks at it.
  _readStart() {
    const handle = this._handle;
    if (!handle.reading) {
      const err = handle.readStart();
      if (err) this.destroy(errors.errnoException(err, 'read'));
      else handle.reading = true;
    }
  }

  _readStop() {
    const handle = this._handle;
    if (handle.reading) {
      handle.reading = false;
      const err = handle.readStop();
      if (err) this.destroy(errors.errnoException(err, 'read'));
    }
  }

  // With `onread` the stream never buffers, so pausing stops the handle itself.
  pause() {
    tlsInterop.installOnce(Socket);
    if (this._onreadCallback !== null && !this.connecting && this._handle) this._readStop();
    return Duplex.prototype.pause.call(this);
  }

  resume() {
    if (this._onreadCallback !== null && !this.connecting && this._handle) this._readStart();
    return Duplex.prototype.resume.call(this);
  }

  _onRead(nread, buffer) {
    if (nread > 0) {
      this._bytesRead += nread;
      if (this._timer !== null) this._timer.refresh();
      if (this._onreadCallback !== null) {
        this._deliverOnread(nread, buffer);
        return;
      }
      const state = this._readableState;
      if (shortcuts.canEmitData(this, state)) {
        shortcuts.emitData(this, state, buffer);
        return;
      }
      if (!this.push(buffer) && this._handle) this._readStop();
      return;
    }
    if (this._handle) this._handle.reading = false;
    if (nread === UV_EOF) {
      if (this._onreadEnd !== null) {
        this._onreadEnd();
        return;
      }
      this.push(null);
      this.read(0);
      return;
    }
    this.destroy(errors.errnoException(nread, 'read'));
  }

  // A callback returning false pauses reading; a buffer function supplies the
  // buffer for the next read.
  _deliverOnread(nread, pooled) {
    const keepReading = this._onreadCallback(nread, pooled === undefined ? this._onreadBuffer : pooled) !== false;
    if (this._onreadGenerate !== null) {
      const next = this._onreadGenerate();
      if (isUint8Array(next)) {
        this._onreadBuffer = next;
        if (this._handle) this._handle.useUserBuffer(next);
      }
    }
    if (!keepReading && this._handle && !this.destroyed) this._readStop();
  }

  // --- writing ---

  // A Buffer or UTF-8 string written when nothing is queued goes to the handle
  // at once; only if the handle could not take all of it does Writable hear of
  // the write, and then _write takes the result of the dispatch already made.
  write(chunk, encoding, cb) {
    const handle = this._handle;
    const state = this._writableState;
    if (cb === undefined && typeof encoding !== 'function' && handle !== null && !this.connecting
        && shortcuts.writableIsIdle(state)) {
      if (!shortcuts.isDirectBuffer(state, chunk, encoding) && !shortcuts.isDirectUtf8(state, chunk, encoding)) {
        return Duplex.prototype.write.call(this, chunk, encoding, cb);
      }
      const result = this._dispatchChunk(handle, chunk, 'utf8', true);
      this._unrefTimer();
      if (result === 0) return true;
      this._dispatchResult = result;
    }
    return Duplex.prototype.write.call(this, chunk, encoding, cb);
  }

  _write(chunk, encoding, cb) {
    if (this._dispatchResult !== null) {
      const result = this._dispatchResult;
      this._dispatchResult = null;
      this._afterDispatch(result, cb);
      return;
    }
    if (this.connecting) {
      this._holdUntilConnected({ chunk, encoding, cb });
      return;
    }
    const handle = this._handle;
    if (!handle) {
      cb(errors.codedError('ERR_SOCKET_CLOSED'));
      return;
    }
    this._unrefTimer();
    this._afterDispatch(this._dispatchChunk(handle, chunk, encoding, false), cb);
  }

  // The one place a chunk's type picks the handle call and its bytes are
  // counted: at once, or (soon) into the turn's batch.
  _dispatchChunk(handle, chunk, encoding, soon) {
    if (typeof chunk !== 'string') {
      this._bytesDispatched += chunk.length;
      return soon ? handle.writeSoon(chunk) : handle.write(chunk);
    }
    if (isUtf8(encoding)) {
      this._bytesDispatched += Buffer.byteLength(chunk);
      return soon ? handle.writeStringSoon(chunk) : handle.writeString(chunk);
    }
    const buffer = Buffer.from(chunk, encoding);
    this._bytesDispatched += buffer.length;
    return soon ? handle.writeSoon(buffer) : handle.write(buffer);
  }

  // Encrypted data from a TLS layer over this socket (tls-interop): Buffers
  // go to the handle at once when Writable would pass them straight on.
  // Returns true if the handle took all of them then; otherwise they went
  // through Writable, and cb reports their completion.
  _writeLayered(buffers, cb) {
    const handle = this._handle;
    if (handle !== null && !this.connecting && shortcuts.writableIsIdle(this._writableState)) {
      const result = buffers.length === 1 ? handle.write(buffers[0]) : handle.writev(buffers);
      for (const buffer of buffers) this._bytesDispatched += buffer.length;
      this._unrefTimer();
      if (result === 0) return true;
      this._dispatchResult = result;
    }
    const last = buffers.length - 1;
    if (last === 0) {
      Duplex.prototype.write.call(this, buffers[0], cb);
      return false;
    }
    this.cork();
    for (let i = 0; i < last; i++) Duplex.prototype.write.call(this, buffers[i]);
    Duplex.prototype.write.call(this, buffers[last], cb);
    this.uncork();
    return false;
  }

  _writev(chunks, cb) {
    if (this._dispatchResult !== null) {
      const result = this._dispatchResult;
      this._dispatchResult = null;
      this._afterDispatch(result, cb);
      return;
    }
    if (this.connecting) {
      this._holdUntilConnected({ chunks, cb });
      return;
    }
    const handle = this._handle;
    if (!handle) {
      cb(errors.codedError('ERR_SOCKET_CLOSED'));
      return;
    }
    this._unrefTimer();
    const buffers = new Array(chunks.length);
    for (let i = 0; i < chunks.length; i++) {
      buffers[i] = toBuffer(chunks[i].chunk, chunks[i].encoding);
      this._bytesDispatched += buffers[i].length;
    }
    this._afterDispatch(handle.writev(buffers), cb);
  }

  // A write made while connecting waits for 'connect'; if 'close' comes first,
  // its callback learns so after the close listeners registered before it.
  _holdUntilConnected(pending) {
    pending.onClose = () => {
      if (this._pendingWrite === pending) this._pendingWrite = null;
      pending.cb(errors.codedError('ERR_SOCKET_CLOSED_BEFORE_CONNECTION'));
    };
    this._pendingWrite = pending;
    this.once('close', pending.onClose);
  }

  _afterDispatch(result, cb) {
    if (result === 0) cb();
    else if (result === 1) this._writeCallback = cb;
    else cb(errors.errnoException(result, 'write'));
  }

  // batch: a coalesced batch failed (src/coalesce.h); its write() calls had
  // returned, so the failure comes as built-in net reports a failed write.
  [kOnWrite](status, batch) {
    if (batch) {
      if (!this.destroyed) this.destroy(errors.errnoException(status, 'write'));
      return;
    }
    const cb = this._writeCallback;
    this._writeCallback = null;
    if (!cb) return;
    // A write cut short by destroy() completes quietly on Node 20 (compat.js).
    if (this.destroyed && !compat.cancelledWritesReportError) {
      cb();
      return;
    }
    if (status < 0) {
      cb(errors.errnoException(status, 'write'));
      return;
    }
    this._unrefTimer();
    cb();
  }

  _final(cb) {
    if (!this.connecting && !this._handle && compat.endWithoutConnectFinishes) {
      cb();
      return;
    }
    if (this.pending) {
      this.once('connect', () => this._final(cb));
      return;
    }
    const failed = this._handle.flush();
    if (failed !== 0) {
      cb(errors.errnoException(failed, 'write'));
      return;
    }
    const err = this._handle.shutdown();
    if (err === 0) this._shutdownCallback = cb;
    else if (errors.errname(err) === 'ENOTCONN') cb();
    else cb(errors.errnoException(err, 'shutdown'));
  }

  [kOnShutdown]() {
    const cb = this._shutdownCallback;
    this._shutdownCallback = null;
    if (cb) cb();
  }

  // --- closing ---

  _destroy(exception, cb) {
    this.connecting = false;
    this._clearTimer();
    if (this._handle) {
      const handle = this._handle;
      this._hadError = Boolean(exception);
      this._handle = null;
      if (!this._resetOnClose || handle.reset() !== 0) handle.close();
      cb(exception);
    } else {
      cb(exception);
      process.nextTick(() => this._emitClose(Boolean(exception)));
    }
    if (this._server) {
      this._server._connections--;
      this._server._emitCloseIfDrained();
    }
  }

  [kOnClose](handle) {
    handle.owner = null;
    // A private loop runs its close callbacks in the same turn as the event that
    // closed the handle; Node runs them after that turn's ticks and immediates.
    if (privateLoop) setImmediate(() => this._emitClose(this._hadError));
    else this._emitClose(this._hadError);
  }

  // _closeEmitted tells a layer over the socket (tls-interop) that 'close' has
  // come, whoever removed the listeners since.
  _emitClose(hadError) {
    this._closeEmitted = true;
    this.emit('close', hadError);
  }

  // Closes with a TCP RST instead of a FIN.
  resetAndDestroy() {
    if (this._handle) {
      if (this._handle.pipe) {
        throw errors.nodeError(TypeError, 'ERR_INVALID_HANDLE_TYPE', 'This handle type cannot be sent');
      }
      this._resetOnClose = true;
      if (this.connecting) this.once('connect', () => this.destroy());
      else this.destroy();
    } else {
      this.destroy(errors.codedError('ERR_SOCKET_CLOSED'));
    }
    return this;
  }

  destroySoon() {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', this.destroy);
  }

  // --- timeouts and options ---

  setTimeout(msecs, callback) {
    // A destroyed socket has no timeout to set (nor are its arguments checked).
    if (this.destroyed) return this;
    this.timeout = msecs;
    args.validateTimeout(msecs);
    this._clearTimer();
    if (msecs === 0) {
      if (callback !== undefined) {
        args.validateFunction(callback, 'callback');
        this.removeListener('timeout', callback);
      }
    } else {
      this._timer = setTimeout(() => this._onTimeout(), msecs);
      this._timer.unref();
      if (callback !== undefined) {
        args.validateFunction(callback, 'callback');
        this.once('timeout', callback);
      }
    }
    return this;
  }

  _onTimeout() {
    this.emit('timeout');
  }

  _unrefTimer() {
    if (this._timer !== null) this._timer.refresh();
  }

  _clearTimer() {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  setNoDelay(noDelay) {
    const enable = noDelay === undefined ? true : Boolean(noDelay);
    if (this._handle && enable !== this._noDelay) this._handle.setNoDelay(enable);
    this._noDelay = enable;
    return this;
  }

  // setKeepAlive(enable, initialDelay, interval, count) or setKeepAlive({ enable, initialDelay, interval, count }):
  // times in ms, applied in whole seconds; what the kernel refuses is ignored, as in built-in net.
  setKeepAlive(enable, initialDelay, interval, count) {
    if (enable !== null && typeof enable === 'object') ({ enable, initialDelay, interval, count } = enable);
    const on = Boolean(enable);
    const delay = ~~(initialDelay / 1000);
    const intervalSeconds = interval === undefined ? undefined : ~~(interval / 1000);
    const changed = on !== this._keepAlive || (on && (delay !== this._keepAliveDelay
      || intervalSeconds !== this._keepAliveInterval || count !== this._keepAliveCount));
    const handle = this._handle;
    if (handle && (handle.pipe || !changed)) return this;
    this._keepAlive = on;
    this._keepAliveDelay = delay;
    this._keepAliveInterval = intervalSeconds;
    this._keepAliveCount = count;
    if (handle) handle.setKeepAlive(on, delay, intervalSeconds, count);
    return this;
  }

  // IP_TOS (IPV6_TCLASS on IPv6) of the connection; before there is one, the
  // value waits for it (but a socket whose connect is under way has no
  // descriptor to set it on yet: EBADF, as from built-in net).
  setTypeOfService(tos) {
    if (Number.isNaN(tos)) throw errors.invalidArgType('tos', 'number', tos);
    args.validateInt32(tos, 'tos', 0, 255);
    const handle = this._handle;
    if (!handle || handle.pipe) {
      this._typeOfService = tos;
      return this;
    }
    if (tos !== this._typeOfService) {
      this._typeOfService = tos;
      const err = handle.setTypeOfService(tos);
      if (err) throw errors.errnoException(err, 'setTypeOfService');
    }
    return this;
  }

  getTypeOfService() {
    const handle = this._handle;
    if (!handle || handle.pipe) return this._typeOfService === undefined ? 0 : this._typeOfService;
    const tos = handle.getTypeOfService();
    if (tos < 0) throw errors.errnoException(tos, 'getTypeOfService');
    return tos;
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

  // --- addresses and state ---

  _getsockname() {
    if (this._boundPath !== undefined) return { address: this._boundPath };
    if (!this._handle || !this._isTcp()) return {};
    if (!this._sockname) {
      const out = this._handle.getsockname();
      if (typeof out === 'number') return {};
      this._sockname = out;
    }
    return this._sockname;
  }

  _getpeername() {
    if (!this._handle || !this._isTcp()) return this._peername || {};
    if (!this._peername) {
      const out = this._handle.getpeername();
      if (typeof out === 'number') return {};
      this._peername = out;
    }
    return this._peername;
  }

  _isTcp() {
    return !this._handle.pipe;
  }

  address() {
    return this._getsockname();
  }

  get localAddress() { return this._getsockname().address; }
  get localPort() { return this._getsockname().port; }
  get localFamily() { return this._getsockname().family; }
  get remoteAddress() { return this._getpeername().address; }
  get remotePort() { return this._getpeername().port; }
  get remoteFamily() { return this._getpeername().family; }

  get pending() {
    return !this._handle || this.connecting;
  }

  get readyState() {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  // Deprecated but documented: what the stream still holds to write.
  get bufferSize() {
    return this._handle ? this.writableLength : undefined;
  }

  get bytesRead() {
    return this._bytesRead;
  }

  get bytesWritten() {
    let bytes = this._bytesDispatched;
    const buffered = this.writableBuffer;
    if (!buffered) return undefined;
    for (const entry of buffered) bytes += byteLength(entry.chunk, entry.encoding);
    const pending = this._pendingWrite;
    if (pending) {
      if (pending.chunks) for (const entry of pending.chunks) bytes += byteLength(entry.chunk, entry.encoding);
      else bytes += byteLength(pending.chunk, pending.encoding);
    }
    return bytes;
  }

  get _connecting() {
    return this.connecting;
  }
}

// new Socket({ fd }): a handle that takes over the descriptor, or a thrown error as from built-in net.
function socketHandleFromFd(fd) {
  const { handle, error } = openDescriptor(fd, null);
  if (error) throw errors.errnoException(error, 'open');
  return handle;
}

// A bound Unix socket is opened as a stream (readable and writable), which bind alone does not do.
function openBoundPipe(handle) {
  const err = handle.open(handle.fileno());
  if (err) throw errors.errnoException(err, 'open');
}

// The connect state machine (lookup, attempts, happy eyeballs) lives in connect.js.
for (const [name, method] of Object.entries(connectMethods)) {
  Object.defineProperty(Socket.prototype, name, { value: method, writable: true, configurable: true });
}

receiveReadsWith(Socket.prototype._onRead);

module.exports = { Socket: callableWithoutNew(Socket), kAcceptedHandle };
