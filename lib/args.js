'use strict';
// Argument normalization and validation for connect(), listen() and friends.
const binding = require('./binding');
const compat = require('./compat');
const errors = require('./errors');

// What built-in net accepts after an IPv6 address's '%': a non-empty zone of
// letters, digits, '-', '.' and ':' (libuv's parser ignores whatever follows '%').
const zoneIndex = /^[0-9a-zA-Z\-.:]+$/;

function ipFamily(input) {
  const text = `${input}`;
  const percent = text.indexOf('%');
  if (percent !== -1 && !zoneIndex.test(text.slice(percent + 1))) return 0;
  return binding.ipFamily(text);
}

// A string that does not read as a non-negative number names a pipe.
function isPipeName(value) {
  return typeof value === 'string' && !(Number(value) >= 0);
}

// A legal port: a number or numeric string in [0, 65535] (or [1, 65535] without allowZero).
function isLegalPort(port, allowZero = true) {
  if ((typeof port !== 'number' && typeof port !== 'string') ||
      (typeof port === 'string' && port.trim().length === 0)) {
    return false;
  }
  const n = +port;
  return n === (n >>> 0) && n <= 0xFFFF && (allowZero || n !== 0);
}

function validatePort(port, name = 'Port', allowZero = true) {
  if (!isLegalPort(port, allowZero)) throw errors.badPort(name, port, allowZero);
  return +port | 0;
}

function validateFunction(value, name) {
  if (typeof value !== 'function') throw errors.invalidArgType(name, 'function', value);
}

function validateNumber(value, name) {
  if (typeof value !== 'number') throw errors.invalidArgType(name, 'number', value);
}

function validateBoolean(value, name) {
  if (typeof value !== 'boolean') throw errors.invalidArgType(name, 'boolean', value);
}

function validateString(value, name) {
  if (typeof value !== 'string') throw errors.invalidArgType(name, 'string', value);
}

function validateAbortSignal(value, name) {
  if (value === null || typeof value !== 'object' || !('aborted' in value)) {
    throw errors.invalidArgType(name, 'AbortSignal', value);
  }
}

function validateInt32(value, name, min, max) {
  if (typeof value !== 'number') throw errors.invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw errors.outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw errors.outOfRange(name, `>= ${min} && <= ${max}`, value);
}

// socket.setTimeout's milliseconds: a finite, non-negative number.
function validateTimeout(msecs) {
  validateNumber(msecs, 'msecs');
  if (!Number.isFinite(msecs) || msecs < 0) {
    throw errors.outOfRange('msecs', 'a non-negative finite number', msecs);
  }
  return msecs;
}

// Marks the [options, cb] pairs normalizeConnectArgs made: connect() takes such
// a pair (net._normalizeArgs' result) as its already normalized arguments.
const kNormalized = Symbol('cnet.normalizedArgs');

function normalized(options, cb) {
  const pair = [options, cb];
  pair[kNormalized] = true;
  return pair;
}

// connect(options[, cb]) | connect(path[, cb]) | connect(port[, host][, cb]) -> [options, cb]
function normalizeConnectArgs(args) {
  if (args.length === 0) return normalized({}, null);
  if (Array.isArray(args[0]) && args[0][kNormalized]) return args[0];
  const first = args[0];
  let options = {};
  if (first !== null && typeof first === 'object') {
    options = first;
  } else if (isPipeName(first)) {
    options.path = first;
  } else {
    options.port = first;
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  const cb = args[args.length - 1];
  return normalized(options, typeof cb === 'function' ? cb : null);
}

function validateConnectOptions(options) {
  const { path, port, host, localAddress, localPort, family, lookup, timeout, hints } = options;
  if (path != null && path !== false) {
    validateString(path, 'options.path');
    return { pipe: true };
  }
  if (port === undefined) {
    throw missingConnectArgs();
  }
  if (typeof port !== 'number' && typeof port !== 'string') {
    throw errors.invalidArgType('options.port', ['number', 'string'], port);
  }
  validatePort(port);
  if (host != null && typeof host !== 'string') {
    throw errors.invalidArgType(compat.hostArgumentName, 'string', host);
  }
  if (localAddress != null && ipFamily(localAddress) === 0) throw errors.invalidIP(localAddress);
  if (localPort != null && typeof localPort !== 'number') {
    throw errors.invalidArgType('options.localPort', 'number', localPort);
  }
  if (family != null && family !== 0 && family !== 4 && family !== 6 &&
      family !== 'IPv4' && family !== 'IPv6') {
    throw errors.invalidArgValue('options.family', family, 'must be one of: 0, 4, 6');
  }
  if (options.autoSelectFamily != null) validateBoolean(options.autoSelectFamily, 'options.autoSelectFamily');
  if (options.autoSelectFamilyAttemptTimeout != null) {
    validateInt32(options.autoSelectFamilyAttemptTimeout, 'options.autoSelectFamilyAttemptTimeout', 1, 2 ** 31 - 1);
  }
  if (lookup != null) validateFunction(lookup, 'options.lookup');
  if (hints != null) validateNumber(hints, 'options.hints');
  if (timeout != null) validateTimeout(timeout);
  return { pipe: false };
}

// A socket is a byte stream: the stream options for object mode are refused.
function rejectObjectMode(options) {
  for (const key of ['objectMode', 'readableObjectMode', 'writableObjectMode']) {
    if (options[key]) throw errors.invalidArgValue(`options.${key}`, options[key], 'is not supported');
  }
}

function missingConnectArgs() {
  return errors.nodeError(TypeError, 'ERR_MISSING_ARGS',
    'The "options" or "port" or "path" argument must be specified');
}

module.exports = {
  ipFamily,
  isPipeName,
  isLegalPort,
  validatePort,
  validateFunction,
  validateNumber,
  validateBoolean,
  validateString,
  validateInt32,
  validateAbortSignal,
  validateTimeout,
  normalizeConnectArgs,
  validateConnectOptions,
  rejectObjectMode,
};
