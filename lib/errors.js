'use strict';
// Node-style errors: the same classes, codes, fields and message shapes as Node's own.
const { inspect } = require('util');
const binding = require('./binding');

function withCode(err, code) {
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  // Node shows the code in the stack's first line: "TypeError [ERR_X]: message".
  if (typeof err.stack === 'string') {
    err.stack = err.stack.replace(/^[A-Za-z]*Error/, `${err.name} [${code}]`);
  }
  return err;
}

function nodeError(Base, code, message) {
  return withCode(new Base(message), code);
}

function describeReceived(value) {
  if (value == null) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name}`;
  if (typeof value === 'object') {
    if (value.constructor && value.constructor.name) {
      return ` Received an instance of ${value.constructor.name}`;
    }
    return ` Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

const classNames = new Set(['Object', 'Function', 'Array', 'Buffer', 'TypedArray', 'DataView', 'Uint8Array', 'AbortSignal']);

// Expected types as Node words them: "of type string", "an instance of Buffer",
// and for a qualified name such as net.BlockList just "an net.BlockList".
function listTypes(expected) {
  const types = [];
  const instances = [];
  const others = [];
  for (const name of expected) {
    if (classNames.has(name)) instances.push(name);
    else if (name.includes('.')) others.push(name);
    else types.push(name);
  }
  const join = (list) => (list.length > 2
    ? `${list.slice(0, -1).join(', ')}, or ${list[list.length - 1]}`
    : list.join(' or '));
  let msg = '';
  if (types.length) msg += `${types.length > 1 ? 'one of type' : 'of type'} ${join(types)}`;
  if (instances.length) {
    if (msg) msg += ' or ';
    msg += `an instance of ${join(instances)}`;
  }
  if (others.length) {
    if (msg) msg += ' or ';
    msg += `an ${join(others)}`;
  }
  return msg;
}

function invalidArgType(name, expected, value) {
  const list = Array.isArray(expected) ? expected : [expected];
  const kind = name.includes('.') ? 'property' : 'argument';
  const what = name.endsWith(' argument') ? name : `"${name}" ${kind}`;
  return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
    `The ${what} must be ${listTypes(list)}.${describeReceived(value)}`);
}

function invalidArgValue(name, value, reason = 'is invalid') {
  const kind = name.includes('.') ? 'property' : 'argument';
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  return nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${kind} '${name}' ${reason}. Received ${shown}`);
}

function outOfRange(name, range, value) {
  return nodeError(RangeError, 'ERR_OUT_OF_RANGE',
    `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(value)}`);
}

function badPort(name, port, allowZero) {
  const op = allowZero ? '>=' : '>';
  return nodeError(RangeError, 'ERR_SOCKET_BAD_PORT',
    `${name} should be ${op} 0 and < 65536.${describeReceived(port)}.`);
}

const simple = {
  ERR_SOCKET_CLOSED: [Error, 'Socket is closed'],
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION: [Error, 'Socket closed before the connection was established'],
  ERR_STREAM_WRITE_AFTER_END: [Error, 'write after end'],
  ERR_SERVER_NOT_RUNNING: [Error, 'Server is not running.'],
  ERR_SERVER_ALREADY_LISTEN: [Error, 'Listen method has been called more than once without closing.'],
  ERR_SOCKET_CONNECTION_TIMEOUT: [Error, 'Socket connection timeout'],
  ERR_TLS_RENEGOTIATION_DISABLED: [Error, 'TLS session renegotiation disabled for this socket'],
  ERR_TLS_RENEGOTIATE: [Error, 'Attempt to renegotiate TLS session failed'],
  ERR_TLS_INVALID_STATE: [Error, 'TLS socket connection must be securely established'],
};

function codedError(code) {
  const [Base, message] = simple[code];
  return nodeError(Base, code, message);
}

function ipBlocked(address) {
  return nodeError(Error, 'ERR_IP_BLOCKED', `IP(${address}) is blocked by net.BlockList`);
}

// A resolved family that is neither 4 nor 6; carries host and port like Node's.
function invalidAddressFamily(addressFamily, host, port) {
  const err = nodeError(RangeError, 'ERR_INVALID_ADDRESS_FAMILY',
    `Invalid address family: ${addressFamily} ${host}:${port}`);
  err.host = host;
  err.port = port;
  return err;
}

// All attempts of an autoSelectFamily connect failed: one error holding each.
function aggregateError(list) {
  return withCode(new AggregateError(list), list[0].code);
}

function invalidIP(address) {
  return nodeError(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${address}`);
}

const errnames = new Map();
function errname(errno) {
  let name = errnames.get(errno);
  if (name === undefined) {
    name = binding.errname(errno);
    errnames.set(errno, name);
  }
  return name;
}

// "read ECONNRESET" with errno, code, syscall.
function errnoException(errno, syscall) {
  const code = errname(errno);
  const err = new Error(`${syscall} ${code}`);
  err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  return err;
}

function hostPortDetail(address, port) {
  if (port && port > 0) return ` ${address}:${port}`;
  if (address) return ` ${address}`;
  return '';
}

// "connect ECONNREFUSED 127.0.0.1:9" with address and port fields.
function exceptionWithHostPort(errno, syscall, address, port, localDetail) {
  const code = errname(errno);
  let message = `${syscall} ${code}${hostPortDetail(address, port)}`;
  if (localDetail) message += ` - Local (${localDetail})`;
  const err = new Error(message);
  err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  err.address = address;
  if (port) err.port = port;
  return err;
}

// "listen EADDRINUSE: address already in use :::8080" (libuv's description included).
function uvExceptionWithHostPort(errno, syscall, address, port) {
  const code = errname(errno);
  const err = new Error(`${syscall} ${code}: ${binding.strerror(errno)}${hostPortDetail(address, port)}`);
  err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  err.address = address;
  if (port) err.port = port;
  return err;
}

module.exports = {
  nodeError,
  invalidArgType,
  invalidArgValue,
  outOfRange,
  badPort,
  codedError,
  invalidIP,
  ipBlocked,
  invalidAddressFamily,
  aggregateError,
  errname,
  errnoException,
  exceptionWithHostPort,
  uvExceptionWithHostPort,
};
