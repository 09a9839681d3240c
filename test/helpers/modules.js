'use strict';
// The two implementations every differential test runs: built-in net (the reference) and cnet.
const path = require('path');
const assert = require('assert');

const builtin = require('net');
const cnet = require(path.join(__dirname, '..', '..', 'lib', 'net.js'));

const implementations = [
  ['net', builtin],
  ['cnet', cnet],
];

// Runs scenario(net) on built-in net and on cnet; asserts the observations are equal.
async function sameOnBoth(scenario) {
  const seen = {};
  for (const [name, net] of implementations) {
    seen[name] = await scenario(net, name);
  }
  assert.deepStrictEqual(seen.cnet, seen.net);
  return seen.cnet;
}

// Records events of an emitter as strings, in order, into `log`.
function record(log, label, emitter, events) {
  for (const event of events) {
    emitter.on(event, (...eventArgs) => {
      const shown = eventArgs.map(describe).filter((x) => x !== '');
      log.push(`${label}:${event}${shown.length ? `(${shown.join(',')})` : ''}`);
    });
  }
}

function describe(value) {
  if (value instanceof Error) return `${value.name}/${value.code}/${value.syscall || ''}`;
  if (Buffer.isBuffer(value)) return `buf[${value.length}]`;
  if (value && typeof value === 'object') return typeof value.constructor === 'function' ? value.constructor.name : 'object';
  if (value === undefined) return '';
  return String(value);
}

function errorShape(err) {
  if (!err) return null;
  const shape = { name: err.name, code: err.code, message: err.message };
  for (const key of ['errno', 'syscall', 'address', 'port']) {
    if (key in err) shape[key] = err[key];
  }
  return shape;
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...a) => resolve(a)));
}

function listen(server, ...listenArgs) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(...listenArgs, () => {
      server.off('error', reject);
      resolve(server.address());
    });
  });
}

function close(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}

let pipeCounter = 0;
function pipePath(tag = 'p') {
  return path.join(require('os').tmpdir(), `cnet-test-${process.pid}-${tag}-${pipeCounter++}.sock`);
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
  builtin,
  cnet,
  implementations,
  sameOnBoth,
  record,
  describe,
  errorShape,
  once,
  listen,
  close,
  pipePath,
  delay,
};
