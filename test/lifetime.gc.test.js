'use strict';
// Garbage collection never frees what libuv still uses: unreferenced sockets keep working under forced GC.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { spawnSync } = require('child_process');

test('200 sockets held by no variable complete their echoes while gc() runs every few ms', { skip: Boolean(process.versions.bun) && 'Bun has no --expose-gc flag' }, () => {
  const script = path.join(__dirname, 'fixtures', 'gc', 'unreferenced-sockets.js');
  const cnet = path.join(__dirname, '..', 'lib', 'net.js');
  const run = spawnSync(process.execPath, ['--expose-gc', script, cnet], { encoding: 'utf8', timeout: 60000, killSignal: 'SIGKILL' });
  assert.strictEqual(run.signal, null, `did not finish: ${run.stderr}`);
  assert.strictEqual(run.status, 0, run.stderr);
  assert.deepStrictEqual(JSON.parse(run.stdout), { finished: 200, echoed: 200 * 20 * 64 });
});
