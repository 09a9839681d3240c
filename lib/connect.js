'use strict';
// The connect state machine of a Socket: the lookup, one attempt at a literal
// or looked-up address, or happy eyeballs over several (autoSelectFamily), and
// what a failed or abandoned attempt leaves behind. These are Socket methods
// (this = the socket, installed by socket.js), kept here so that socket.js
// holds the stream and this file the connecting.
const dns = require('dns');
const args = require('./args');
const errors = require('./errors');
const family = require('./family');
const { isBlocked } = require('./blocklist');
const { createHandle, UV_ETIMEDOUT } = require('./handle');

const connectMethods = {
  _lookupAndConnect(options) {
    const host = options.host || 'localhost';
    const port = +options.port;
    const { localAddress, localPort } = options;
    if (this._boundSource && (localAddress !== undefined || localPort !== undefined)) {
      throw errors.invalidArgValue('options', options,
        'localAddress and localPort cannot be used with an adopted bound socket');
    }
    const ipFamily = args.ipFamily(host);
    // A bound socket connects to an IP at once, so its local address is known when connect() returns.
    if (ipFamily && this._boundSource) {
      this._connectOnce(host, port, ipFamily);
      return;
    }
    if (ipFamily) {
      process.nextTick(() => {
        if (this.connecting) this._connectOnce(host, port, ipFamily, localAddress, localPort);
      });
      return;
    }
    this._host = host;
    const lookup = options.lookup || dns.lookup;
    const dnsOptions = { family: family.toDnsFamily(options.family), hints: options.hints || 0 };
    const anyFamily = dnsOptions.family !== 4 && dnsOptions.family !== 6;
    if (anyFamily && dnsOptions.hints === 0) dnsOptions.hints = dns.ADDRCONFIG;
    this._unrefTimer();
    if (anyFamily && !localAddress && !this._boundSource && family.autoSelectFamily(options)) {
      dnsOptions.all = true;
      const timeout = family.attemptTimeout(options);
      lookup(host, dnsOptions, (err, addresses) => this._onLookupAll(err, addresses, options, timeout));
      return;
    }
    lookup(host, dnsOptions, (err, address, addressFamily) => {
      const error = err ? asNodeLookupError(err) : err;
      this.emit('lookup', error, address, addressFamily, host);
      if (!this.connecting) return;
      let failure = null;
      if (error) failure = error;
      else if (typeof address !== 'string' || !args.ipFamily(address)) failure = errors.invalidIP(address);
      else if (addressFamily !== 4 && addressFamily !== 6) {
        failure = errors.invalidAddressFamily(addressFamily, options.host, options.port);
      }
      if (failure) {
        process.nextTick(() => this.destroy(failure));
        return;
      }
      this._unrefTimer();
      this._connectOnce(address, port, addressFamily, localAddress, localPort);
    });
  },

  // autoSelectFamily: every address was asked for; try them one after another.
  _onLookupAll(err, addresses, options, timeout) {
    const host = this._host;
    if (!this.connecting) return;
    if (err || !Array.isArray(addresses) || addresses.length === 0) {
      const error = err ? asNodeLookupError(err) : dnsNotFound(host);
      this.emit('lookup', error, undefined, undefined, host);
      process.nextTick(() => this.destroy(error));
      return;
    }
    for (const entry of addresses) {
      this.emit('lookup', err, entry.address, entry.family, host);
      if (!this.connecting) return;
    }
    const ordered = family.attemptOrder(addresses);
    if (ordered.length === 0) {
      const { address, family: addressFamily } = addresses[0];
      const failure = args.ipFamily(address)
        ? errors.invalidAddressFamily(addressFamily, options.host, options.port)
        : errors.invalidIP(address);
      process.nextTick(() => this.destroy(failure));
      return;
    }
    const port = +options.port;
    this._unrefTimer();
    if (ordered.length === 1) {
      this._connectOnce(ordered[0].address, port, ordered[0].family, undefined, options.localPort);
      return;
    }
    this.autoSelectFamilyAttemptedAddresses = [];
    this._attempts = {
      addresses: ordered, next: 0, port, localPort: options.localPort, timeout, timer: null, errors: [], handle: null,
    };
    this._attemptNext(false);
  },

  // Connects to one address: a literal IP, a single lookup result, or the only address found.
  _connectOnce(address, port, addressFamily, localAddress, localPort) {
    this._attempt = { address, port, family: addressFamily, local: null };
    if (localAddress || localPort) {
      const bindError = this._bindLocal(localAddress, localPort, addressFamily);
      if (bindError) {
        this.destroy(bindError);
        return;
      }
    }
    this.emit('connectionAttempt', address, port, addressFamily);
    if (isBlocked(this.blockList, address, addressFamily)) {
      this.destroy(errors.ipBlocked(address));
      return;
    }
    const err = this._handle.connect(address, port, addressFamily);
    if (err) this.destroy(errors.exceptionWithHostPort(err, 'connect', address, port));
  },

  // Binds the handle before it connects (localAddress/localPort); returns the error, or null.
  // A connect error then names the local end, as built-in net's does, when a local port was given.
  _bindLocal(localAddress, localPort, addressFamily) {
    const bindAddress = localAddress || (addressFamily === 6 ? '::' : '0.0.0.0');
    const err = this._handle.bind(bindAddress, localPort | 0, addressFamily, 0);
    if (err) return errors.exceptionWithHostPort(err, 'bind', bindAddress, localPort);
    if (localPort && this._attempt) this._attempt.local = { address: bindAddress, port: localPort };
    return null;
  },

  // Happy eyeballs: the next address on a fresh handle; each attempt but the
  // last gets attempts.timeout ms before the one after it starts.
  _attemptNext(canceled) {
    const attempts = this._attempts;
    clearTimeout(attempts.timer);
    if (!this.connecting) return;
    if (canceled || attempts.next === attempts.addresses.length) {
      this.destroy(attempts.errors.length > 0
        ? errors.aggregateError(attempts.errors)
        : errors.codedError('ERR_SOCKET_CONNECTION_TIMEOUT'));
      return;
    }
    const current = attempts.next++;
    if (current > 0) this._replaceHandle();
    const { address, family: addressFamily } = attempts.addresses[current];
    const { port, localPort } = attempts;
    this._attempt = { address, port, family: addressFamily, local: null };
    if (localPort) {
      const bindError = this._bindLocal(undefined, localPort, addressFamily);
      if (bindError) {
        attempts.errors.push(bindError);
        this._attemptNext(false);
        return;
      }
    }
    if (isBlocked(this.blockList, address, addressFamily)) {
      this._attemptFailed(address, port, addressFamily, errors.ipBlocked(address));
      return;
    }
    this.emit('connectionAttempt', address, port, addressFamily);
    this.autoSelectFamilyAttemptedAddresses.push(`${address}:${port}`);
    attempts.handle = this._handle;
    const err = this._handle.connect(address, port, addressFamily);
    if (err) {
      this._attemptFailed(address, port, addressFamily, errors.exceptionWithHostPort(err, 'connect', address, port));
      return;
    }
    if (current < attempts.addresses.length - 1) {
      attempts.timer = setTimeout(() => this._attemptTimedOut(address, port, addressFamily), attempts.timeout);
    }
  },

  _attemptFailed(address, port, addressFamily, error, canceled = false) {
    this._attempts.errors.push(error);
    this.emit('connectionAttemptFailed', address, port, addressFamily, error);
    if (this.connecting) this._attemptNext(canceled);
  },

  // destroy() during an attempt cancels its connect; built-in net reports that
  // as a failed attempt (ECANCELED), and no timeout follows.
  _attemptCanceled(status, handle) {
    const attempts = this._attempts;
    if (attempts === null || attempts.handle !== handle) return;
    clearTimeout(attempts.timer);
    const { address, port, family: addressFamily } = this._attempt;
    const error = errors.exceptionWithHostPort(status, 'connect', address, port);
    attempts.errors.push(error);
    this.emit('connectionAttemptFailed', address, port, addressFamily, error);
  },

  _attemptTimedOut(address, port, addressFamily) {
    this.emit('connectionAttemptTimeout', address, port, addressFamily);
    this._attempts.errors.push(errors.exceptionWithHostPort(UV_ETIMEDOUT, 'connect', address, port));
    if (this.connecting) this._attemptNext(false);
  },

  // A connect that failed or was abandoned leaves its handle unusable: close it, take a new one.
  _replaceHandle() {
    const old = this._handle;
    old.owner = null;
    old.close();
    this._setHandle(createHandle(false, this));
  },

  _connectFailed(status) {
    const attempt = this._attempt;
    const { local } = attempt;
    const error = errors.exceptionWithHostPort(status, 'connect', attempt.address, attempt.port,
      local ? `${local.address}:${local.port}` : undefined);
    if (local) {
      error.localAddress = local.address;
      error.localPort = local.port;
    }
    if (attempt.port === undefined) {
      this.destroy(error);
    } else if (this._attempts) {
      this._attemptFailed(attempt.address, attempt.port, attempt.family, error, errors.errname(status) === 'ECANCELED');
    } else {
      this.emit('connectionAttemptFailed', attempt.address, attempt.port, attempt.family, error);
      this.destroy(error);
    }
  },
};

// Some runtimes (Bun) report lookup failures with their own error class; users
// of net get a plain Error with the same message and fields, as from Node.
function asNodeLookupError(err) {
  if (!(err instanceof Error) || err.name === 'Error') return err;
  const plain = new Error(err.message);
  for (const key of ['errno', 'code', 'syscall', 'hostname']) {
    if (err[key] !== undefined) plain[key] = err[key];
  }
  return plain;
}

function dnsNotFound(host) {
  const err = new Error(`getaddrinfo ENOTFOUND ${host}`);
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  err.hostname = host;
  return err;
}

module.exports = { connectMethods };
