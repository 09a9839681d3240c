'use strict';
// Which TLS runs over a cnet socket. `tls.connect({ socket })` and
// `new tls.TLSSocket(socket, { isServer: true })` over a connected cnet socket
// get TLS in C (tls-socket.js) when every option given is one it implements as
// the runtime's tls does, a secureContext included when tls.createSecureContext
// made it from such options and nothing has reached into it since; anything
// else (SNICallback, requestCert on a server, PSK, OCSP, a socket still
// connecting or with unread bytes, ...) goes to the runtime's tls as before
// (tls-interop.js).
const fs = require('fs');
const net = require('net');
const { available, defineTLSSocket, wireProtocols } = require('./tls-socket');
const binding = require('./binding');

const versions = { TLSv1: 0x301, 'TLSv1.1': 0x302, 'TLSv1.2': 0x303, 'TLSv1.3': 0x304 };
// tls.connect() ignores isServer and requestCert (a client always asks for
// the server's certificate); mysql2 passes both.
const clientOptions = new Set([
  'socket', 'host', 'port', 'servername', 'ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized',
  'checkServerIdentity', 'ALPNProtocols', 'minVersion', 'maxVersion', 'ciphers', 'session',
  'secureContext', 'isServer', 'requestCert',
]);
const serverOptions = new Set([
  'isServer', 'server', 'ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'requestCert',
  'ALPNProtocols', 'minVersion', 'maxVersion', 'ciphers', 'secureContext',
]);
// What a secure context is made of; given a secureContext, the runtime's tls
// takes these from it and ignores the socket's own.
const contextKeys = new Set(['ca', 'cert', 'key', 'passphrase', 'ciphers', 'minVersion', 'maxVersion']);
// The options of secure contexts TLS in C can make again, by context.
const contextOptions = new WeakMap();

let installed = false;
let TLSSocket = null;
let defaultRoots = null;

function pem(value) {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.every(isPemText) ? value.map(String).join('\n') : undefined;
  return isPemText(value) ? value : undefined;
}

function isPemText(value) {
  return (typeof value === 'string' || Buffer.isBuffer(value)) && String(value).includes('-----BEGIN');
}

function onlyKnown(options, known) {
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !known.has(key)) return false;
  }
  return true;
}

// Gives the addon the runtime's own roots plus NODE_EXTRA_CA_CERTS, as its
// tls trusts them; false (the runtime's tls then) when it was told to use the
// system's or OpenSSL's store, or the extra file cannot be read.
function loadDefaultRoots(tls) {
  if (process.execArgv.some((a) => /ca-store|openssl-ca|system-ca/.test(a))) return false;
  let pems = tls.rootCertificates.join('\n');
  if (process.env.NODE_EXTRA_CA_CERTS) {
    try {
      pems += `\n${fs.readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'latin1')}`;
    } catch {
      return false;
    }
  }
  return binding.tlsRoots(pems) === true;
}

// Records what tls.createSecureContext made each context of, while the
// context stays as made: reading or replacing its native `context` (to add a
// CA or a certificate, or by the runtime's tls using it) forgets it, since
// TLS in C could not see what was done with it.
function recordSecureContexts(tls) {
  const builtinCreate = tls.createSecureContext;
  tls.createSecureContext = function createSecureContext(options, ...rest) {
    const secureContext = builtinCreate.call(this, options, ...rest);
    if (options === null || typeof options !== 'object' || !onlyKnown(options, contextKeys)
        || secureContext === null || typeof secureContext !== 'object') return secureContext;
    const own = Object.getOwnPropertyDescriptor(secureContext, 'context');
    if (!own || !own.configurable || !('value' in own)) return secureContext;
    let native = own.value;
    Object.defineProperty(secureContext, 'context', {
      configurable: true,
      enumerable: own.enumerable,
      get() {
        contextOptions.delete(secureContext);
        return native;
      },
      set(value) {
        contextOptions.delete(secureContext);
        native = value;
      },
    });
    contextOptions.set(secureContext, { ...options });
    return secureContext;
  };
}

// The options with those of their secureContext in place of the socket's own,
// or null for a context TLS in C cannot make again.
function withSecureContext(options) {
  if (options.secureContext === undefined) return options;
  const made = contextOptions.get(options.secureContext);
  if (made === undefined) return null;
  const merged = {};
  for (const key of Object.keys(options)) {
    if (key !== 'secureContext' && !contextKeys.has(key)) merged[key] = options[key];
  }
  return Object.assign(merged, made);
}

// A context for these options, or null when the runtime's tls should take them.
// It is for one TLSSocket: its tlsStart() takes it over.
function contextFor(tls, givenOptions, isServer) {
  if (!onlyKnown(givenOptions, isServer ? serverOptions : clientOptions)) return null;
  const options = withSecureContext(givenOptions);
  if (options === null) return null;
  if (isServer && options.requestCert) return null;
  const cert = pem(options.cert);
  const key = pem(options.key);
  const ca = pem(options.ca);
  if (cert === undefined || key === undefined || ca === undefined || (cert === null) !== (key === null)) return null;
  if (isServer && cert === null) return null;
  if (options.passphrase !== undefined && typeof options.passphrase !== 'string') return null;
  const min = versions[options.minVersion || tls.DEFAULT_MIN_VERSION];
  const max = versions[options.maxVersion || tls.DEFAULT_MAX_VERSION];
  if (!min || !max) return null;
  // TLS 1.3 suites as given, else OpenSSL's own (Node's defaults list those;
  // Deno's name one only, for its own TLS).
  const ciphers = (options.ciphers || tls.DEFAULT_CIPHERS).split(':');
  const list = ciphers.filter((c) => c && !c.startsWith('TLS_')).join(':');
  const suites = options.ciphers ? ciphers.filter((c) => c.startsWith('TLS_')).join(':') : '';
  if (list === '') return null;
  let trust = ca;
  if (ca === null && !isServer) {
    if (defaultRoots === null) defaultRoots = loadDefaultRoots(tls);
    if (!defaultRoots) return null;
    trust = true;
  }
  let alpn = null;
  if (isServer && options.ALPNProtocols) alpn = wireProtocols(options.ALPNProtocols);
  const context = binding.tlsContext(isServer, cert, key, options.passphrase, trust, list,
    suites === '' ? null : suites, min, max, alpn);
  return context || null;
}

// The plain socket as TLS in C can take it: connected, nothing unread, no onread.
function canTake(socket, CnetSocket) {
  return socket instanceof CnetSocket && socket._handle && !socket.connecting && !socket.destroyed
    && socket.readableLength === 0 && socket._onreadCallback === null;
}

function connectOverCnet(tls, options, context, cb) {
  const servername = options.servername || (options.host && !net.isIP(options.host) ? options.host : undefined);
  const socket = new TLSSocket(options.socket, { ...options, servername }, context, false);
  if (cb) socket.once('secureConnect', cb);
  const rejectUnauthorized = options.rejectUnauthorized === undefined
    ? process.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0' : options.rejectUnauthorized !== false;
  const checkServerIdentity = options.checkServerIdentity || tls.checkServerIdentity;
  const onEnd = () => {
    if (socket._hadError) return;
    socket._hadError = true;
    const err = new Error('Client network socket disconnected before secure TLS connection was established');
    err.code = 'ECONNRESET';
    err.host = options.host;
    err.port = options.port;
    socket.destroy(err);
  };
  socket.prependListener('end', onEnd);
  socket.on('secure', () => {
    socket.removeListener('end', onEnd);
    let verifyError = socket._verifyError();
    if (!verifyError && !socket.isSessionReused()) {
      const hostname = options.servername || options.host || options.socket._host || 'localhost';
      verifyError = checkServerIdentity(hostname, socket.getPeerCertificate(true));
    }
    if (verifyError) {
      socket.authorized = false;
      socket.authorizationError = verifyError.code || verifyError.message;
      if (rejectUnauthorized) {
        socket.destroy(verifyError);
        return;
      }
    } else {
      socket.authorized = true;
    }
    socket.emit('secureConnect');
  });
  return socket;
}

function install(CnetSocket) {
  if (installed) return;
  installed = true;
  if (!available) return;
  const tls = require('tls');
  TLSSocket = defineTLSSocket(CnetSocket);
  recordSecureContexts(tls);
  const builtinConnect = tls.connect;
  tls.connect = function connect(...argv) {
    const [options, cb] = argv;
    if (argv.length <= 2 && options !== null && typeof options === 'object' && canTake(options.socket, CnetSocket)
        && (cb === undefined || typeof cb === 'function')) {
      const context = contextFor(tls, options, false);
      if (context) return connectOverCnet(tls, options, context, cb);
    }
    return builtinConnect.apply(this, argv);
  };
  const Builtin = tls.TLSSocket;
  function RoutedTLSSocket(socket, options) {
    if (new.target === RoutedTLSSocket && options && options.isServer === true && canTake(socket, CnetSocket)) {
      const context = contextFor(tls, options, true);
      if (context) return new TLSSocket(socket, options, context, true);
    }
    return Reflect.construct(Builtin, [socket, options], new.target || Builtin);
  }
  RoutedTLSSocket.prototype = Builtin.prototype;
  Object.setPrototypeOf(RoutedTLSSocket, Builtin);
  Object.defineProperty(RoutedTLSSocket, 'name', { value: 'TLSSocket' });
  Object.defineProperty(RoutedTLSSocket, Symbol.hasInstance, {
    value: (object) => object instanceof TLSSocket || object instanceof Builtin,
  });
  tls.TLSSocket = RoutedTLSSocket;
}

module.exports = { install };
