'use strict';
// `npm test`: the whole suite on the machine's Node, on Node 24, on Bun and on
// Deno, then the memory checks that are quick enough for every run (the suite
// on the ASan+UBSan build, and the valgrind soak).
// Node runs are differential (built-in net next to cnet); the Node 24 run also
// records built-in net's observations, which the Bun and Deno runs compare cnet
// with, since their own node:net is not the reference. Deno runs the node:test
// files with `deno test`, which reports skipped tests as "ignored".
const fs = require('fs');
const path = require('path');
const { resolveRuntimes } = require('../tools/runtimes');
const { runStreamed } = require('./helpers/run-streamed');

const root = path.join(__dirname, '..');
// `npm test -- test/a.test.js ...` runs only those files (on every runtime);
// `npm test -- bun` (any other word) runs only the runs whose name starts with it.
const argv = process.argv.slice(2);
const chosenFiles = argv.filter((a) => a.endsWith('.test.js')).map((f) => path.relative(root, path.resolve(f)));
const only = argv.filter((a) => !a.endsWith('.test.js'));
const files = chosenFiles.length ? chosenFiles : fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()
  .map((f) => path.join('test', f));

function bunBinary() {
  const local = path.join(root, 'node_modules', '.bin', 'bun');
  if (fs.existsSync(local)) return local;
  const [bun] = resolveRuntimes(['bun'], { log: console.log });
  if (bun.error) throw new Error(`Bun is not available: ${bun.error}`);
  return bun.bin;
}

function denoBinary() {
  const [deno] = resolveRuntimes(['deno'], { log: console.log });
  if (deno.error) throw new Error(`Deno is not available: ${deno.error}`);
  return deno.bin;
}

function node24Binary() {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const [node24] = resolveRuntimes(['node24'], { log: console.log });
  if (node24.error) throw new Error(`Node 24 is not available: ${node24.error}`);
  return node24.bin;
}

// Limits catch hangs. Node's --test-timeout also bounds each file as a whole, and the file with
// the 4 GiB write takes about 45 s on its own here (that test sets its own limit for Bun).
const nodeArgs = ['--test', '--test-concurrency=1', '--test-timeout=120000', ...files];
const runs = [
  { name: `node ${process.version}`, bin: () => process.execPath, args: nodeArgs, env: {} },
  { name: 'node 24 (records the reference for Bun and Deno)', bin: node24Binary, args: nodeArgs, env: { CNET_GOLDEN: 'write' } },
  { name: 'bun', bin: bunBinary, args: ['test', '--timeout=60000', ...files.map((f) => `./${f}`)], env: { CNET_GOLDEN: 'read' } },
  { name: 'deno', bin: denoBinary, args: ['test', '-A', '--no-check', ...files], env: { CNET_GOLDEN: 'read', NO_COLOR: '1' } },
  { name: 'asan (the suite on a sanitizer build)', bin: () => process.execPath, args: [path.join(__dirname, 'asan.js'), ...files], env: {} },
  { name: 'valgrind soak', bin: () => process.execPath, args: [path.join(__dirname, 'valgrind.js')], env: {}, single: true },
].filter((run) => (only.length === 0 || only.some((o) => run.name.startsWith(o)))
  && !(chosenFiles.length && run.single));

// Each run is bounded (test/helpers/run-streamed.js), so that a hang shows up
// as a failure in the log rather than as CI's own time-out (its budget is 90
// minutes; the whole suite takes about 14 here).
// The names of the tests a run reports as failed, so that the summary (the
// end of a CI log, often all of it one gets to see) says which ones: node:test's
// TAP "not ok N - name", Bun's "(fail) name [time]", Deno's "name => file:line:col".
function failedTestNames(out) {
  const names = new Set();
  for (const m of out.matchAll(/^\s*not ok \d+ - (.+)$/gm)) names.add(m[1].replace(/ # .*$/, ''));
  for (const m of out.matchAll(/^\(fail\) (.+?)(?: \[[\d.]+m?s\])?$/gm)) names.add(m[1]);
  for (const m of out.matchAll(/^(.+) => \.\/\S+:\d+:\d+$/gm)) names.add(m[1]);
  return names;
}

async function main() {
  let passed = 0;
  let failed = 0;
  const summary = [];
  const suiteStarted = Date.now();
  for (const run of runs) {
    console.log(`\n=== ${run.name} ===`);
    let bin;
    try {
      bin = run.bin();
    } catch (err) {
      console.log(err.message);
      failed++;
      summary.push(`${run.name}: could not run (${err.message})`);
      continue;
    }
    const result = await runStreamed(bin, run.args, { cwd: root, env: { ...process.env, ...run.env } });
    const { out } = result;
    const count = (re) => { const m = out.match(re); return m ? Number(m[m.length - 1].match(/\d+/)[0]) : 0; };
    const ok = result.status === 0 && !result.timedOut;
    const deno = out.match(/^(?:ok|FAILED) \| (\d+) passed[^|]*\| (\d+) failed(?:[^|]*\| (\d+) ignored)?/m);
    let p = deno ? Number(deno[1]) : count(/^(?:# pass|ℹ pass| *\d+ pass)\s*\d*/gm) || count(/^ *(\d+) pass$/gm);
    let f = deno ? Number(deno[2]) : count(/^(?:# fail|ℹ fail)\s*\d+/gm) || count(/^ *(\d+) fail$/gm);
    const skipped = deno ? Number(deno[3] || 0) : count(/^(?:# skipped|ℹ skipped)\s*\d+/gm) || count(/^ *(\d+) skip$/gm);
    if (run.single) {
      p = ok ? 1 : 0;
      f = ok ? 0 : 1;
    }
    passed += p;
    failed += f;
    if (!ok && f === 0) failed++;
    const how = result.timedOut ? ' (killed: over its time limit)' : ok ? '' : ` (exit ${result.status})`;
    summary.push(`${run.name}: ${p} passed, ${f} failed${skipped ? `, ${skipped} skipped` : ''}${how}, ${Math.round(result.seconds)} s`);
    for (const name of failedTestNames(out)) summary.push(`  failed: ${name}`);
    console.log(`=== ${run.name}: done in ${Math.round(result.seconds)} s ===`);
  }
  console.log('\n=== summary ===');
  for (const line of summary) console.log(line);
  console.log(`${passed} passed, ${failed} failed, ${Math.round((Date.now() - suiteStarted) / 1000)} s`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
