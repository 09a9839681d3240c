'use strict';
// The two implementations every differential test runs: built-in net (the reference) and cnet.
const path = require('path');
const assert = require('assert');
const fs = require('fs');

const builtin = require('net');
const cnet = require(path.join(__dirname, '..', '..', 'lib', 'net.js'));

const implementations = [
  ['net', builtin],
  ['cnet', cnet],
];

// The reference is built-in net as Node has it. On Node it runs next to cnet in
// the same test. Where the runtime's own net is not Node's (Bun, Deno), the reference
// is what built-in net did in a Node run of the same test that recorded it:
// CNET_GOLDEN=write records, CNET_GOLDEN=read compares with the record.
const notNode = Boolean(process.versions.bun || process.versions.deno);
const goldenMode = process.env.CNET_GOLDEN || (notNode ? 'read' : '');
const goldenDir = path.join(__dirname, '..', '.golden');
const goldenFiles = new Map();
const callCounts = new Map();

const UNDEFINED = '\u0000undefined';
function toPlain(value) {
  return JSON.parse(JSON.stringify(value, (k, v) => (v === undefined ? UNDEFINED : v)) ?? 'null');
}

// The test file and line that asked for a reference (Bun reports the lines of
// the original source too).
function callSite() {
  const lines = new Error().stack.split('\n');
  for (const line of lines) {
    const m = line.match(/\(?(\/[^():]+\.test\.js):(\d+):\d+\)?/);
    if (m) return { file: m[1], line: Number(m[2]) };
  }
  throw new Error('cannot tell which test file is calling');
}

// The title of the test(...) that encloses a line: the nearest one above it.
const sourceLines = new Map();
function enclosingTestTitle(file, line) {
  if (!sourceLines.has(file)) sourceLines.set(file, fs.readFileSync(file, 'utf8').split('\n'));
  const text = sourceLines.get(file);
  for (let i = Math.min(line, text.length) - 1; i >= 0; i--) {
    const m = text[i].match(/^\s*test\(\s*(['"`])((?:\\.|(?!\1).)*)\1/);
    if (m) return m[2];
  }
  return '(top level)';
}

function goldenFor(file) {
  if (!goldenFiles.has(file)) {
    const jsonPath = path.join(goldenDir, `${path.basename(file)}.json`);
    let data = {};
    if (goldenMode === 'read') {
      if (!fs.existsSync(jsonPath)) throw new Error(`no recorded reference at ${jsonPath}: run the suite on Node with CNET_GOLDEN=write first`);
      data = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
    }
    goldenFiles.set(file, { jsonPath, data });
  }
  return goldenFiles.get(file);
}

// A record is named by the title of the test that made it (and how many
// records that test made before), so editing or moving one test leaves every
// other test's record valid.
function nextKey({ file, line }) {
  const site = `${file}:${enclosingTestTitle(file, line)}`;
  const n = (callCounts.get(site) || 0) + 1;
  callCounts.set(site, n);
  return `${site.slice(file.length + 1)}#${n}`;
}

process.on('exit', () => {
  if (goldenMode !== 'write') return;
  fs.mkdirSync(goldenDir, { recursive: true });
  for (const { jsonPath, data } of goldenFiles.values()) fs.writeFileSync(jsonPath, JSON.stringify(data));
});

// Returns what compute() gives with built-in net (recording it), or the record of it.
async function reference(compute) {
  const site = callSite();
  const { file } = site;
  const golden = goldenMode ? goldenFor(file) : null;
  const key = nextKey(site);
  if (goldenMode === 'read') {
    if (!(key in golden.data)) throw new Error(`no recorded reference #${key} for ${path.basename(file)}`);
    return golden.data[key];
  }
  const value = toPlain(await compute());
  if (golden) golden.data[key] = value;
  return value;
}

// Runs scenario(net) on built-in net (or takes its record) and on cnet; asserts equal observations.
// options.onPrivateLoop maps both observations before comparing where cnet runs
// on a private loop inside the host's (Bun, Deno), for what cannot be ordered
// like Node's one loop (see perEndpoint).
// Deno's Node-API host runs nextTick and promise jobs after all native
// callbacks of a loop turn, not after each (it has no tick callback an addon
// could run), so observations that hang on that order differ there.
const denoTickOrder = Boolean(process.versions.deno)
  && "Deno runs nextTick and promise jobs after all native callbacks of a loop turn, not after each";

async function sameOnBoth(scenario, options = {}) {
  let expected = await reference(() => scenario(builtin, 'net'));
  let actual = toPlain(await scenario(cnet, 'cnet'));
  if (notNode && options.onPrivateLoop) {
    expected = options.onPrivateLoop(expected);
    actual = options.onPrivateLoop(actual);
  }
  assert.deepStrictEqual(actual, expected);
  return actual;
}

// For an option Node 20's net lacks (reusePort, blockList): where the running
// built-in net has it, the usual differential check, plus that its observations
// are `node24`, what Node 24's net gives; where it lacks it, cnet must still
// give `node24`.
async function sameAsNode24(builtinHasIt, scenario, node24) {
  if (builtinHasIt || goldenMode === 'read') {
    const seen = await sameOnBoth(scenario);
    assert.deepStrictEqual(seen, toPlain(node24));
    return;
  }
  assert.deepStrictEqual(toPlain(await scenario(cnet, 'cnet')), toPlain(node24));
}

// A log of 'endpoint:event' entries as one ordered list per endpoint. On Bun,
// events of two sockets that become ready in the same loop turn may interleave
// differently than on Node; each socket's own order must still match.
function perEndpoint(log) {
  const byEndpoint = {};
  for (const entry of log) {
    const endpoint = entry.split(':')[0];
    (byEndpoint[endpoint] ||= []).push(entry);
  }
  return byEndpoint;
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

// What calling fn throws, as errorShape(), or 'no error'.
function thrown(fn) {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return errorShape(err);
  }
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

// A payload whose bytes follow from their position and seed (a linear
// congruential sequence), so a shifted, dropped or repeated byte shows.
function pattern(size, seed = 1) {
  const buf = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    buf[i] = x >> 16;
  }
  return buf;
}

const sha = (buf) => require('crypto').createHash('sha256').update(buf).digest('hex');

module.exports = {
  pattern,
  sha,
  builtin,
  cnet,
  implementations,
  reference,
  sameOnBoth,
  sameAsNode24,
  perEndpoint,
  denoTickOrder,
  record,
  describe,
  errorShape,
  thrown,
  once,
  listen,
  close,
  pipePath,
  delay,
};
