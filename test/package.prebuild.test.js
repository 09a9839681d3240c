'use strict';
// The published package works without a compiler: `npm pack` (whose prepack makes
// the prebuilt binary), the tarball installed into a fresh project with no C
// toolchain on PATH, then a smoke script there on Node 20, Node 24, Bun and Deno.
//
// This one test covers all four runtimes itself, so test/run.js's Node 24, Bun,
// Deno and sanitizer runs skip it (saying so) instead of packing four more times.
const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { resolveRuntimes } = require('../tools/runtimes');

const root = path.join(__dirname, '..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function whySkipped() {
  if (process.versions.bun) return 'packaging is tested from the Node 20 run, which runs the package on Bun too';
  if (process.versions.deno) return 'packaging is tested from the Node 20 run, which runs the package on Deno too';
  if (process.env.CNET_ADDON) return 'the sanitizer run checks another build of the addon, not the package';
  if (process.versions.node.split('.')[0] !== '20') return 'packaging is tested from the Node 20 run, which runs the package on Node 24 too';
  return false;
}

function run(bin, args, options) {
  const result = spawnSync(bin, args, { encoding: 'utf8', timeout: 60000, ...options });
  const output = `${result.stdout || ''}${result.stderr || ''}${result.error ? result.error.message : ''}`;
  assert.strictEqual(result.status, 0, `${path.basename(bin)} ${args.join(' ')} failed:\n${output.slice(-3000)}`);
  return result.stdout;
}

// The environment without npm's per-run variables (set when this runs under `npm test`).
function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && !key.startsWith('CNET_')) env[key] = value;
  }
  return { ...env, ...extra };
}

// A copy of what package.json's "files" lists, so packing (which builds into
// build/ and moves the result to prebuilds/) leaves the working tree alone.
function stageSources(dir) {
  for (const entry of [...packageJson.files, 'package.json']) {
    const from = path.join(root, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, entry), { recursive: true });
  }
  fs.rmSync(path.join(dir, 'prebuilds'), { recursive: true, force: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
}

// A bin directory with node, npm and sh (npm runs the install script with sh), and nothing else.
function compilerFreeBin(dir) {
  fs.mkdirSync(dir);
  const npmCli = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  fs.symlinkSync(process.execPath, path.join(dir, 'node'));
  fs.symlinkSync(fs.realpathSync(npmCli), path.join(dir, 'npm'));
  fs.symlinkSync('/bin/sh', path.join(dir, 'sh'));
  for (const tool of ['cc', 'gcc', 'g++', 'make', 'python3', 'python']) {
    const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env: { PATH: dir } });
    assert.notStrictEqual(found.status, 0, `${tool} is reachable on the compiler-free PATH`);
  }
  return dir;
}

// [name, binary, arguments before the script] of each runtime the package must serve.
function runtimeCommands() {
  const [node24, bun, deno] = resolveRuntimes(['node24', 'bun', 'deno'], { log: (line) => console.log(line) });
  for (const runtime of [node24, bun, deno]) assert.strictEqual(runtime.error, null, `${runtime.id} is not available: ${runtime.error}`);
  // Deno uses the project's node_modules as npm left it (no install of its own).
  return [['node 20', process.execPath, []], ['node 24', node24.bin, []], ['bun', bun.bin, []],
    ['deno', deno.bin, ['run', '-A', '--node-modules-dir=manual']]];
}

test('the packed tarball installs without a compiler and loads its prebuilt binary on Node 20, Node 24, Bun and Deno',
  // The time limit leaves room for installing Node 24 on first use; the test itself takes ~10 s.
  { skip: whySkipped(), timeout: 120000 }, (t) => {
    const runtimes = runtimeCommands();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cnet-package-'));
    t.after(() => fs.rmSync(work, { recursive: true, force: true }));

    const staged = path.join(work, 'staged');
    const packed = path.join(work, 'packed');
    const project = path.join(work, 'project');
    fs.mkdirSync(staged);
    fs.mkdirSync(packed);
    fs.mkdirSync(project);
    stageSources(staged);

    run('npm', ['pack', '--pack-destination', packed, '--loglevel=error'], { cwd: staged, env: cleanEnv() });
    const [tarball] = fs.readdirSync(packed).filter((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote no tarball');

    const PATH = compilerFreeBin(path.join(work, 'bin'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'project', private: true }));
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'package', 'smoke.mjs'), path.join(project, 'smoke.mjs'));
    // Install scripts run: cnet's (node-gyp-build) must find the prebuild rather than compile.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(packed, tarball)],
      { cwd: project, env: cleanEnv({ PATH }) });

    const installed = path.join(project, 'node_modules', 'cnet');
    const prebuild = path.join(installed, 'prebuilds', `${process.platform}-${process.arch}`, 'cnet.node');
    assert.ok(fs.existsSync(prebuild), `the tarball has no ${path.relative(installed, prebuild)}`);
    assert.ok(!fs.existsSync(path.join(installed, 'build')), 'installing compiled the addon instead of using the prebuild');

    for (const [name, bin, args] of runtimes) {
      const out = run(bin, [...args, 'smoke.mjs'], { cwd: project, env: cleanEnv({ PATH }) });
      const seen = JSON.parse(out.trim().split('\n').pop());
      assert.deepStrictEqual(seen, {
        addons: [fs.realpathSync(prebuild)],
        echoed: 'hello from the prebuild',
        sameInstance: true,
        namedMatchDefault: true,
      }, `on ${name}`);
    }
  });
