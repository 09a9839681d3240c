'use strict';
// A TLSSocket whose TLS runs in C on the cnet handle it takes over from a plain
// cnet socket (src/tls.h): JS reads and writes plaintext, as on any cnet socket.
// tls-route.js decides when a socket is handed to it instead of the runtime's tls.
const { Duplex } = require('stream');
const { X509Certificate } = require('crypto');
const args = require('./args');
const binding = require('./binding');
const errors = require('./errors');
const { kOnTls } = require('./handle');

const TLS_HANDSHAKE = 1;
const TLS_ERROR = 2;
const TLS_SESSION = 3;
const TLS_RENEGOTIATION = 4;
const Q = {
  PROTOCOL: 1, CIPHER: 2, PEER_CHAIN: 3, CERTIFICATE: 4, ALPN: 5, SERVERNAME: 6, VERIFY_ERROR: 7,
  SESSION: 8, SESSION_REUSED: 9, FINISHED: 10, PEER_FINISHED: 11, KEYING_MATERIAL: 12,
  MAX_SEND_FRAGMENT: 13, PENDING: 14,
};

// OpenSSL's X509_V_ERR_* numbers, by the names Node gives them as error codes.
const verifyCodes = {
  2: 'UNABLE_TO_GET_ISSUER_CERT', 3: 'UNABLE_TO_GET_CRL', 4: 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  5: 'UNABLE_TO_DECRYPT_CRL_SIGNATURE', 6: 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 7: 'CERT_SIGNATURE_FAILURE',
  8: 'CRL_SIGNATURE_FAILURE', 9: 'CERT_NOT_YET_VALID', 10: 'CERT_HAS_EXPIRED', 11: 'CRL_NOT_YET_VALID',
  12: 'CRL_HAS_EXPIRED', 13: 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 14: 'ERROR_IN_CERT_NOT_AFTER_FIELD',
  15: 'ERROR_IN_CRL_LAST_UPDATE_FIELD', 16: 'ERROR_IN_CRL_NEXT_UPDATE_FIELD', 17: 'OUT_OF_MEM',
  18: 'DEPTH_ZERO_SELF_SIGNED_CERT', 19: 'SELF_SIGNED_CERT_IN_CHAIN', 20: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  21: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 22: 'CERT_CHAIN_TOO_LONG', 23: 'CERT_REVOKED', 24: 'INVALID_CA',
  25: 'PATH_LENGTH_EXCEEDED', 26: 'INVALID_PURPOSE', 27: 'CERT_UNTRUSTED', 28: 'CERT_REJECTED',
  62: 'HOSTNAME_MISMATCH',
};

function legacyCertificate(der) {
  return new X509Certificate(der).toLegacyObject();
}

function tlsError(message, library, reason) {
  const err = new Error(message);
  if (library) err.library = library;
  if (reason) {
    err.reason = reason;
    err.code = `ERR_SSL_${reason.toUpperCase().replace(/ /g, '_')}`;
  }
  return err;
}

// Used as the base class through a late require: socket.js loads this module lazily.
function defineTLSSocket(Socket) {
  class TLSSocket extends Socket {
    // plain: a connected cnet socket whose handle this socket takes; context: a tlsContext().
    constructor(plain, options, context, isServer) {
      super({ allowHalfOpen: plain.allowHalfOpen });
      this._tlsOptions = options;
      this._secureEstablished = false;
      this._pendingSecure = null;
      this.secureConnecting = true;
      this.servername = null;
      this.alpnProtocol = null;
      this.authorized = false;
      this.authorizationError = null;
      this.encrypted = true;
      this._parent = plain;
      this._isServer = isServer;
      this._renegotiationDisabled = false;

      const handle = plain._handle;
      plain._handle = null;
      // The plain socket still answers for the connection's addresses, as built-in net's does.
      plain._getpeername = () => this._getpeername();
      plain._getsockname = () => this._getsockname();
      handle.owner = this;
      handle.reading = false;
      this._handle = handle;
      this.ssl = handle;
      this._peername = plain._peername;
      this._sockname = plain._sockname;
      this._plainClose = null;
      plain._emitClose = (hadError) => this._closePlain(hadError);

      const alpn = !isServer && options.ALPNProtocols ? wireProtocols(options.ALPNProtocols) : null;
      const servername = isServer ? null : options.servername || null;
      const err = handle.tlsStart(context, isServer, servername, alpn, options.session || null);
      if (err) {
        process.nextTick(() => this.destroy(errors.errnoException(err, 'tlsStart')));
        return;
      }
      if (!isServer) handle.tlsCycle();
      this.read(0);
    }

    [kOnTls](event, a, b, c) {
      if (event === TLS_HANDSHAKE) this._onHandshake();
      else if (event === TLS_ERROR) this.destroy(tlsError(a, b, c));
      else if (event === TLS_RENEGOTIATION) this._onRenegotiation();
      else if (event === TLS_SESSION) this.emit('session', a);
    }

    // The peer starting another handshake: refused after disableRenegotiation()
    // on a client. A server TLSSocket made without a tls.Server, the only kind
    // made here, takes any number of them on the runtime's TLS too (its
    // tls.CLIENT_RENEG_LIMIT check reports to the tls.Server).
    _onRenegotiation() {
      if (this._renegotiationDisabled && !this._isServer) {
        this.destroy(errors.codedError('ERR_TLS_RENEGOTIATION_DISABLED'));
      }
    }

    disableRenegotiation() {
      this._renegotiationDisabled = true;
    }

    // Starting a renegotiation is not offered by TLS in C: the callback hears
    // of the failure, as when the runtime's TLS cannot start one.
    renegotiate(options, callback) {
      if (options === null || typeof options !== 'object') throw errors.invalidArgType('options', 'Object', options);
      if (callback !== undefined && typeof callback !== 'function') throw errors.invalidArgType('callback', 'Function', callback);
      if (this.destroyed) return false;
      if (callback) process.nextTick(callback, errors.codedError('ERR_TLS_RENEGOTIATE'));
      return false;
    }

    _onHandshake() {
      const handle = this._handle;
      this._secureEstablished = true;
      this.secureConnecting = false;
      this.alpnProtocol = handle.tlsQuery(Q.ALPN);
      if (this._isServer) this.servername = handle.tlsQuery(Q.SERVERNAME);
      else this.servername = this._tlsOptions.servername || false;
      this.emit('secure');
      const pending = this._pendingSecure;
      this._pendingSecure = null;
      if (pending) pending();
    }

    _readStart() {
      super._readStart();
      const handle = this._handle;
      if (handle && this._secureEstablished && handle.tlsQuery(Q.PENDING)) {
        process.nextTick(() => { if (this._handle === handle) handle.tlsCycle(); });
      }
    }

    // Every write goes through Writable and completes after the turn it was
    // made in, as on the runtime's TLS: write() of a chunk at the high-water
    // mark returns false and writableLength counts it until then.
    write(chunk, encoding, cb) {
      return Duplex.prototype.write.call(this, chunk, encoding, cb);
    }

    _afterDispatch(result, cb) {
      if (result === 0) setImmediate(cb);
      else super._afterDispatch(result, cb);
    }

    // Writes and end() wait for the handshake, as the runtime's TLS holds
    // them, unless the peer has gone and the handshake cannot finish.
    _waitsForSecure() {
      return !this._secureEstablished && this._handle !== null && !this._readableState.ended;
    }

    _onRead(nread, buffer) {
      super._onRead(nread, buffer);
      if (nread < 0 && this._pendingSecure) {
        const pending = this._pendingSecure;
        this._pendingSecure = null;
        pending();
      }
    }

    _write(chunk, encoding, cb) {
      if (this._waitsForSecure()) {
        this._pendingSecure = () => this._write(chunk, encoding, cb);
        return;
      }
      super._write(chunk, encoding, cb);
    }

    _writev(chunks, cb) {
      if (this._waitsForSecure()) {
        this._pendingSecure = () => this._writev(chunks, cb);
        return;
      }
      super._writev(chunks, cb);
    }

    _final(cb) {
      if (this._waitsForSecure()) {
        this._pendingSecure = () => this._final(cb);
        return;
      }
      super._final(cb);
    }

    // The 'close' order of built-in net's TLS: destroying the plain socket
    // closes the TLSSocket first; a TLSSocket closing on its own (end, error,
    // destroy) destroys the plain socket at once, whose 'close' comes first.
    _destroy(exception, cb) {
      super._destroy(exception, cb);
      if (!this._parent.destroyed) this._parent.destroy();
    }

    // The plain socket's 'close' is due; it is emitted around the TLSSocket's.
    _closePlain(hadError) {
      if (this._closeEmitted) {
        Socket.prototype._emitClose.call(this._parent, hadError);
        return;
      }
      this._plainClose = { hadError, first: this._handle === null };
      if (this._handle) this.destroy();
    }

    _emitClose(hadError) {
      const plainClose = this._plainClose;
      this._plainClose = null;
      if (plainClose === null) {
        super._emitClose(hadError);
        return;
      }
      const emitPlainClose = () => Socket.prototype._emitClose.call(this._parent, plainClose.hadError);
      if (plainClose.first) {
        emitPlainClose();
        process.nextTick(() => super._emitClose(hadError));
      } else {
        super._emitClose(hadError);
        emitPlainClose();
      }
    }

    _query(what, ...rest) {
      return this._handle ? this._handle.tlsQuery(what, ...rest) : undefined;
    }

    getProtocol() {
      const protocol = this._query(Q.PROTOCOL);
      return protocol === undefined ? null : protocol;
    }

    getCipher() {
      const cipher = this._query(Q.CIPHER);
      if (!cipher) return undefined;
      return { name: cipher[0], standardName: cipher[1], version: cipher[2] };
    }

    getPeerCertificate(detailed) {
      const chain = this._query(Q.PEER_CHAIN);
      if (!chain) return this._handle ? {} : null;
      const certs = chain.map(legacyCertificate);
      if (!detailed) return certs[0];
      for (let i = 0; i < certs.length - 1; i++) certs[i].issuerCertificate = certs[i + 1];
      const last = certs[certs.length - 1];
      if (last.issuer && JSON.stringify(last.issuer) === JSON.stringify(last.subject)) last.issuerCertificate = last;
      return certs[0];
    }

    getCertificate() {
      const der = this._query(Q.CERTIFICATE);
      if (der) return legacyCertificate(der);
      return this._handle ? {} : null;
    }

    getPeerX509Certificate() {
      const chain = this._query(Q.PEER_CHAIN);
      return chain ? new X509Certificate(chain[0]) : undefined;
    }

    getX509Certificate() {
      const der = this._query(Q.CERTIFICATE);
      return der ? new X509Certificate(der) : undefined;
    }

    getSession() {
      return this._query(Q.SESSION);
    }

    isSessionReused() {
      return Boolean(this._query(Q.SESSION_REUSED));
    }

    getFinished() {
      return this._query(Q.FINISHED);
    }

    getPeerFinished() {
      return this._query(Q.PEER_FINISHED);
    }

    exportKeyingMaterial(length, label, context) {
      args.validateInt32(length, 'length', 1, 0xFFFFFFFF);
      args.validateString(label, 'label');
      if (context !== undefined && !ArrayBuffer.isView(context)) {
        throw errors.invalidArgType('context', ['Buffer', 'TypedArray', 'DataView'], context);
      }
      if (!this._secureEstablished) throw errors.codedError('ERR_TLS_INVALID_STATE');
      // The addon reads Buffers; any view's bytes are the context.
      const bytes = context === undefined || Buffer.isBuffer(context)
        ? context : Buffer.from(context.buffer, context.byteOffset, context.byteLength);
      return this._query(Q.KEYING_MATERIAL, length, label, bytes);
    }

    setMaxSendFragment(size) {
      return Boolean(this._query(Q.MAX_SEND_FRAGMENT, size));
    }

    // The verdict on the peer's certificate: null, or an Error with Node's code.
    _verifyError() {
      const result = this._query(Q.VERIFY_ERROR);
      if (!result) return null;
      const err = new Error(result[1]);
      err.code = verifyCodes[result[0]] || 'UNSPECIFIED';
      return err;
    }
  }
  // What the runtime's TLSSocket has and TLS in C does not offer (docs/tls.md):
  // a clear error instead of "is not a function".
  for (const name of ['setKeyCert', 'setServername', 'setSession', 'getEphemeralKeyInfo',
    'getSharedSigalgs', 'getTLSTicket', 'enableTrace']) {
    Object.defineProperty(TLSSocket.prototype, name, {
      configurable: true,
      writable: true,
      value() {
        throw errors.nodeError(Error, 'ERR_METHOD_NOT_IMPLEMENTED', `The ${name} method is not implemented`);
      },
    });
  }
  return TLSSocket;
}

// ALPNProtocols (array of strings or Buffers, or a Buffer already in wire format) in wire format.
function wireProtocols(protocols) {
  if (Buffer.isBuffer(protocols) || protocols instanceof Uint8Array) return Buffer.from(protocols);
  const parts = [];
  for (const p of protocols) {
    const bytes = Buffer.from(p);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  return Buffer.concat(parts);
}

module.exports = { defineTLSSocket, wireProtocols, available: binding.tlsAvailable() === true };
