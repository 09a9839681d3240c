'use strict';
// net.BoundSocket (Node 24.19 / 26.4; `path` 24.20): a socket bound now, whose
// handle a Server adopts to listen on or a Socket adopts to connect from.
const args = require('./args');
const compat = require('./compat');
const errors = require('./errors');
const { createHandle, TCP_IPV6ONLY, TCP_REUSEPORT } = require('./handle');

let adopt;

function adoptedError() {
  return errors.nodeError(Error, 'ERR_SOCKET_HANDLE_ADOPTED',
    'The bound socket has already been adopted by a server or socket');
}

class BoundSocket {
  #handle = null;
  #address = null;
  #path;

  constructor(options = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw errors.invalidArgType('options', 'object', options);
    }
    if (options.path !== undefined) {
      this.#bindPath(options);
      return;
    }
    const port = args.validatePort(options.port ?? 0, 'options.port');
    const ipv6Only = options.ipv6Only ?? false;
    args.validateBoolean(ipv6Only, 'options.ipv6Only');
    const reusePort = options.reusePort ?? false;
    args.validateBoolean(reusePort, 'options.reusePort');
    let { host } = options;
    let family;
    if (host === undefined || host === null) {
      host = ipv6Only ? '::' : '0.0.0.0';
      family = ipv6Only ? 6 : 4;
    } else {
      args.validateString(host, 'options.host');
      family = args.ipFamily(host);
      if (family === 0) {
        throw errors.invalidArgValue('options.host', host,
          'must be a numeric IP address; net.BoundSocket does not perform DNS resolution');
      }
    }
    const handle = createHandle(false, null);
    const flags = (ipv6Only ? TCP_IPV6ONLY : 0) | (reusePort ? TCP_REUSEPORT : 0);
    let err = handle.bind(host, port, family, flags);
    // libuv reports some bind errors only at the next call on the socket: ask for its name now.
    const address = err ? null : handle.getsockname();
    if (typeof address === 'number') err = address;
    if (err) {
      handle.close();
      throw errors.exceptionWithHostPort(err, 'bind', host, port);
    }
    this.#handle = handle;
    this.#address = address;
  }

  // A Unix socket (or Linux abstract name, '\0name') bound now.
  #bindPath(options) {
    const { path, host, port, ipv6Only, reusePort } = options;
    if (host !== undefined || port !== undefined || ipv6Only !== undefined || reusePort !== undefined) {
      throw errors.invalidArgValue('options', options,
        'path is mutually exclusive with host, port, ipv6Only, and reusePort');
    }
    args.validateString(path, 'options.path');
    if (path[0] === '\0' && process.platform !== 'linux') {
      throw errors.invalidArgValue('options.path', path, 'abstract socket paths are only supported on Linux');
    }
    const handle = createHandle(true, null);
    const err = handle.bindPath(path, compat.pipePathsTruncate);
    if (err) {
      handle.close();
      throw errors.errnoException(err, 'bind');
    }
    this.#handle = handle;
    this.#path = path;
  }

  // { address, family, port } of a TCP bind (the port the system chose for 0), or the path.
  address() {
    if (this.#handle === null) throw adoptedError();
    return this.#path ?? this.#address;
  }

  // The descriptor, still owned by this BoundSocket: not for the caller to close.
  fd() {
    if (this.#handle === null) throw adoptedError();
    return this.#handle.fileno();
  }

  // Releases a socket that nothing adopted.
  close() {
    if (this.#handle === null) throw adoptedError();
    this.#handle.close();
    this.#handle = null;
  }

  [Symbol.dispose]() {
    if (this.#handle !== null) {
      this.#handle.close();
      this.#handle = null;
    }
  }

  get isPipe() {
    return this.#path !== undefined;
  }

  static {
    // The handle moves to its new owner; the BoundSocket keeps nothing it could close.
    adopt = (bound, owner) => {
      if (bound.#handle === null) throw adoptedError();
      const handle = bound.#handle;
      bound.#handle = null;
      handle.owner = owner;
      return { handle, path: bound.#path };
    };
  }
}

module.exports = { BoundSocket, adoptBoundSocket: (bound, owner) => adopt(bound, owner) };
