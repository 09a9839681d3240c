'use strict';
// Servers in cluster workers: listen() goes through the primary (round-robin,
// or a shared listening socket), several workers serve one port, close()
// before the primary's answer leaves nothing listening; the same as with built-in
// net. Each case runs a cluster in a child of this runtime, once on built-in net
// and once with -r register.js.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { spawn } = require('child_process');
const { childArgs, runJsonFixture } = require('./helpers/child-args');
const { sameAsNode24 } = require('./helpers/modules');

const root = path.join(__dirname, '..');
const fixture = path.join(__dirname, 'fixtures', 'cluster', 'workers.js');

function runCluster(runtimeArgs, policy) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...childArgs(runtimeArgs), fixture], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000,
      env: { ...process.env, NODE_CLUSTER_SCHED_POLICY: policy },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`cluster exited with ${code}; stderr: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

// Deno: the workers cannot be given cnet/register. Deno's process.execArgv is
// empty (cluster forks with no preload), fork() drops a --require or -r in
// execArgv, and a worker given --require through NODE_OPTIONS runs the preload
// but never its own code.
const denoWorkerPreload = Boolean(process.versions.deno) && 'on Deno, cluster workers cannot preload cnet/register: process.execArgv is empty, fork() drops --require/-r in execArgv, and a worker given --require through NODE_OPTIONS never runs its own code';

for (const policy of ['rr', 'none']) {
  test(`two workers serve one port (scheduling "${policy}"), and close() before the primary answers, as on built-in net`,
    { timeout: 60000, skip: denoWorkerPreload }, async () => {
      const [onNet, onCnet] = await Promise.all([
        runCluster([], policy),
        runCluster(['-r', path.join(root, 'register.js')], policy),
      ]);
      assert.deepStrictEqual(onNet.answers, Array(4).fill('worker: net socket, remote 127.0.0.1'));
      assert.deepStrictEqual(onCnet.answers, Array(4).fill('worker: cnet socket, remote 127.0.0.1'));
      assert.deepStrictEqual({ ...onCnet, answers: null }, { ...onNet, answers: null });
    });
}

// reusePort in a worker binds there (Node 23.1+): the kernel balances, with no
// hop through the primary. Node 20's net asks the primary; cnet does what Node 24's does.
test('workers listening with reusePort bind in the worker (the primary is not asked) and both serve, as Node 24\'s net',
  { timeout: 60000, skip: denoWorkerPreload }, async () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    const builtinBindsInWorker = major > 23 || (major === 23 && minor >= 1);
    const reusePortFixture = path.join(__dirname, 'fixtures', 'cluster', 'reuseport.js');
    await sameAsNode24(builtinBindsInWorker, (net, label) => runJsonFixture(
      label === 'cnet' ? ['-r', path.join(root, 'register.js')] : [], reusePortFixture, [], root,
    ), { answered: 40, workers: 2, askedPrimary: false });
  });

// A worker at maxConnections (round-robin): Node 22.12+'s cluster turns the
// connection back to the primary, which gives it to another worker; Node 20's
// gives it to the server, which drops it. Either way the running Node decides,
// through the server it finds as the owner of the handle it gave out.
test('a worker at maxConnections: its connections go where the running Node\'s cluster sends them, as with built-in net',
  { timeout: 60000, skip: (process.versions.bun || process.versions.deno) && 'Bun\'s and Deno\'s clusters balance in the kernel (SO_REUSEPORT): a connection past maxConnections cannot go back to another worker' },
  async () => {
    const fixture = path.join(__dirname, 'fixtures', 'cluster', 'max-connections.js');
    const [onNet, onCnet] = await Promise.all([
      runJsonFixture([], fixture, [], root),
      runJsonFixture(['-r', path.join(root, 'register.js')], fixture, [], root),
    ]);
    assert.deepStrictEqual(onCnet, onNet);
  });
