'use strict';
// Builds the benchmark's C programs (load generator, C reference server) with
// the system C compiler against libuv: uv.h from the node headers that ship
// with node (or npm's nodedir), linked with the runtime libuv.so.1 that the
// node package depends on. No network, no node-gyp project needed.
//
//   node bench/build.js            build if sources are newer than binaries
//   node bench/build.js --force    always rebuild
//
// As a module: build({ force, quiet }) -> { ok, loadgen, cserver, error }

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const BENCH = __dirname;
const OUT = path.join(BENCH, 'build');
const SRC = path.join(BENCH, 'c');
const PROGRAMS = {
  loadgen: ['loadgen.c'],
  cserver: ['cserver.c'],
};

function findUvInclude() {
  const candidates = [];
  if (process.env.CNET_BENCH_UV_INCLUDE) candidates.push(process.env.CNET_BENCH_UV_INCLUDE);
  candidates.push(path.join(path.dirname(process.execPath), '..', 'include', 'node'));
  try {
    const nodedir = execFileSync('npm', ['config', 'get', 'nodedir'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20000,
    }).trim();
    if (nodedir && nodedir !== 'undefined') candidates.push(path.join(nodedir, 'include', 'node'));
  } catch (_) { /* npm missing: try the rest */ }
  candidates.push('/usr/include/node', '/usr/local/include/node', '/usr/include');
  // node-gyp's header cache, when a build of the addon has fetched headers
  const home = process.env.HOME || '/root';
  candidates.push(path.join(home, '.cache', 'node-gyp', process.versions.node, 'include', 'node'));
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'uv.h'))) return dir;
  }
  return null;
}

function findLibuv() {
  // Prefer a development symlink (libuv1-dev), else the runtime soname.
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib',
    '/usr/local/lib', '/lib/x86_64-linux-gnu'];
  for (const d of dirs) if (fs.existsSync(path.join(d, 'libuv.so'))) return ['-luv'];
  for (const d of dirs) if (fs.existsSync(path.join(d, 'libuv.so.1'))) return ['-L' + d, '-l:libuv.so.1'];
  return null;
}

function newer(src, out) {
  try {
    const o = fs.statSync(out).mtimeMs;
    return src.some((s) => fs.statSync(s).mtimeMs > o);
  } catch (_) {
    return true;
  }
}

function build({ force = false, quiet = false } = {}) {
  const log = quiet ? () => {} : (m) => console.log(m);
  const res = { ok: false, loadgen: path.join(OUT, 'loadgen'), cserver: path.join(OUT, 'cserver'), error: null };
  const cc = process.env.CC || 'cc';
  const inc = findUvInclude();
  if (!inc) {
    res.error = 'uv.h not found (looked in node\'s include/node, npm nodedir, /usr/include)';
    return res;
  }
  const lib = findLibuv();
  if (!lib) {
    res.error = 'libuv shared library not found (libuv.so.1)';
    return res;
  }
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, files] of Object.entries(PROGRAMS)) {
    const out = path.join(OUT, name);
    const srcs = files.map((f) => path.join(SRC, f));
    const deps = srcs.concat([path.join(SRC, 'common.h'), __filename]);
    if (!force && !newer(deps, out)) continue;
    const args = ['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Wno-unused-function',
      '-I', inc, '-o', out, ...srcs, ...lib];
    log(`bench build: ${cc} ${args.join(' ')}`);
    try {
      execFileSync(cc, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
    } catch (e) {
      res.error = `${cc} failed for ${name}: ${(e.stderr || e.message).toString().trim().split('\n').slice(-5).join(' | ')}`;
      return res;
    }
  }
  res.ok = true;
  return res;
}

module.exports = { build };

if (require.main === module) {
  const r = build({ force: process.argv.includes('--force') });
  if (!r.ok) {
    console.error(`bench build: ${r.error}`);
    // not fatal for `npm run bench`: run.js reports the missing rows itself
    process.exitCode = process.argv.includes('--strict') ? 1 : 0;
  } else {
    console.log(`bench build: ok (${path.relative(process.cwd(), OUT)})`);
  }
}
