'use strict';
// The benchmark's quick mode runs and writes valid JSON with checked samples (no timing is asserted).
const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
// The driver is a Node script; under Bun the machine's node runs it.
const node = process.versions.bun ? 'node' : process.execPath;

test('bench --quick (echo 100 connections) writes JSON with verified net, cnet and C samples', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cnet-bench-'));
  const build = spawnSync(node, [path.join(root, 'bench', 'build.js')], { cwd: root, encoding: 'utf8', timeout: 120000 });
  assert.strictEqual(build.status, 0, build.stderr);
  const run = spawnSync(node, [path.join(root, 'bench', 'run.js'), '--quick', '--runtimes=node', '--scenarios=echo100',
    '--no-chart', `--results=${out}`], { cwd: root, encoding: 'utf8', timeout: 120000 });
  assert.strictEqual(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const files = fs.readdirSync(out).filter((f) => f.endsWith('.json'));
  assert.strictEqual(files.length, 1, `one runtime's JSON: ${files}`);
  const result = JSON.parse(fs.readFileSync(path.join(out, files[0]), 'utf8'));
  assert.ok(result.machine && result.machine.cpu, 'machine described');
  const scenario = Object.values(result.scenarios).find((s) => /100 connections/.test(s.title));
  assert.ok(scenario, 'echo 100 connections present');
  for (const impl of ['net', 'cnet', 'c']) {
    const entry = scenario.impls[impl];
    assert.strictEqual(entry.status, 'ok', `${impl}: ${entry.reason}`);
    assert.ok(entry.samples.length > 0, `${impl} has samples`);
    for (const sample of entry.samples) assert.ok(sample.value > 0, `${impl} sample measured`);
  }
  fs.rmSync(out, { recursive: true, force: true });
});
