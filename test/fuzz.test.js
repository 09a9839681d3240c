'use strict';
// Seeded fuzzing of the whole public surface: no crash, only documented errors, no handle left open.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { spawnSync } = require('child_process');

const script = path.join(__dirname, 'fixtures', 'fuzz', 'run.js');
const seeds = [1, 7, 2024, 99991];
const callsPerSeed = 3000;

for (const seed of seeds) {
  test(`fuzz seed ${seed}: ${callsPerSeed} random calls, documented throws only, process exits by itself`, () => {
    const run = spawnSync(process.execPath, [script, String(seed), String(callsPerSeed)], {
      encoding: 'utf8', timeout: 60000, killSignal: 'SIGKILL',
    });
    assert.strictEqual(run.signal, null, `killed by ${run.signal}: the process did not exit by itself\n${run.stderr}`);
    assert.strictEqual(run.status, 0, `exit ${run.status}\n${run.stderr}`);
    const tally = JSON.parse(run.stdout.trim().split('\n').pop());
    assert.strictEqual(tally.calls, callsPerSeed);
    assert.deepStrictEqual(tally.badThrows, []);
    assert.deepStrictEqual(tally.badAsyncErrors, []);
    assert.ok(tally.thrown > 0 && tally.returned > 0, 'both outcomes exercised');
  });
}
