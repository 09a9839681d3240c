'use strict';
// Shared by the scenario processes: which module is under test, and the byte
// patterns the C load generator checks.

const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const CHUNK = 65536;
// Bytes of one request of the pipeline scenario (the generator's --size).
const REQUEST_SIZE = 32;

// Load the implementation under test. Scenario code receives the module and
// never looks at which one it got.
function loadImpl(impl) {
  if (impl === 'net') return require('node:net');
  if (impl === 'cnet') {
    const mod = require(path.join(ROOT, 'lib', 'net.js'));
    const builtin = require('node:net');
    // never let the built-in module be measured under cnet's name
    if (mod === builtin || mod.Socket === builtin.Socket || mod.Server === builtin.Server) {
      throw new Error('lib/net.js hands out the built-in net classes, not cnet');
    }
    return mod;
  }
  throw new Error(`unknown implementation ${impl}`);
}

// Same formula as bulk_pattern_byte() in bench/c/common.h.
function bulkPattern() {
  const b = Buffer.allocUnsafe(CHUNK);
  for (let i = 0; i < CHUNK; i++) b[i] = (i * 7 + (i >> 8) * 3 + 11) & 255;
  return b;
}

// Message k of connection c, as fill_msg() in bench/c/loadgen.c builds it.
function echoMessage(c, k, size) {
  const b = Buffer.allocUnsafe(size);
  const base = (c * 29 + k * 13 + 3) & 255;
  for (let j = 0; j < size; j++) b[j] = (base + j * 7) & 255;
  return b;
}

function runtimeName() {
  if (typeof Bun !== 'undefined') return `bun ${Bun.version}`;
  if (typeof Deno !== 'undefined') return `deno ${Deno.version.deno}`;
  return `node ${process.version}`;
}

function collectGarbage() {
  if (typeof Bun !== 'undefined' && Bun.gc) {
    Bun.gc(true);
    return true;
  }
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
    return true;
  }
  return false;
}

module.exports = { ROOT, CHUNK, REQUEST_SIZE, loadImpl, bulkPattern, echoMessage, runtimeName, collectGarbage };
