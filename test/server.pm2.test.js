'use strict';
// pm2 (from npm) in cluster mode, with 2 instances of an app that requires
// cnet, or requires net and is started with node_args -r register.js: both
// instances serve, and `pm2 reload` replaces them with no refused connection,
// as with built-in net. Each run has its own PM2_HOME and ends with `pm2 kill`.
const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn } = require('child_process');

const root = path.join(__dirname, '..');
const pm2Bin = path.join(root, 'node_modules', 'pm2', 'bin', 'pm2');
const app = path.join(__dirname, 'fixtures', 'pm2', 'app.js');

// pm2 runs its daemon and its apps on the machine's Node. Under the sanitizer
// run (CNET_ADDON, sanitizer runtimes preloaded) the daemon and every app it
// starts inherit the preload and take minutes; the plain runs cover pm2.
const skip = ((process.versions.bun || process.versions.deno) && 'pm2 runs its daemon and apps on the machine\'s Node')
  || (process.env.CNET_ADDON && 'under the sanitizer build pm2\'s daemon and apps inherit the preloaded runtimes and take minutes');

function pm2(home, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [pm2Bin, ...args], {
      env: { ...process.env, PM2_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000,
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`pm2 ${args.join(' ')}: exit ${code}\n${output}`))));
  });
}

// One connection's answer ("<pid> <net|cnet>"), or the error code when refused
// (or 'stalled', when no answer came within 5 s).
function ask(port) {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(5000, () => {
      resolve({ error: 'stalled' });
      socket.destroy();
    });
    socket.setEncoding('utf8');
    socket.on('data', (d) => { answer += d; });
    socket.on('error', (err) => resolve({ error: err.code }));
    socket.on('close', () => resolve({ answer }));
  });
}

async function serving(port, count) {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await ask(port));
  const pids = new Set(answers.map((a) => a.answer && a.answer.split(' ')[0]));
  return { pids, kinds: [...new Set(answers.map((a) => (a.answer ? a.answer.split(' ')[1] : a.error)))] };
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function underPm2({ appNet, nodeArgs }) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cnet-pm2-'));
  const port = await freePort();
  const config = path.join(home, 'ecosystem.json');
  fs.writeFileSync(config, JSON.stringify({
    apps: [{
      name: 'app', script: app, instances: 2, exec_mode: 'cluster', wait_ready: true, listen_timeout: 15000,
      kill_timeout: 5000, autorestart: false, node_args: nodeArgs, env: { APP_PORT: String(port), APP_NET: appNet },
    }],
  }));
  try {
    await pm2(home, ['start', config]);
    const before = await serving(port, 8);
    // Connections one after another for as long as the reload runs.
    let reloading = true;
    const during = { answered: 0, failed: [] };
    const load = (async () => {
      while (reloading) {
        const r = await ask(port);
        if (r.answer) during.answered++;
        else during.failed.push(r.error || 'closed unanswered');
      }
    })();
    await pm2(home, ['reload', 'app']);
    reloading = false;
    await load;
    const after = await serving(port, 8);
    return { before, during, after };
  } finally {
    await pm2(home, ['kill']).catch(() => {});
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const register = path.join(root, 'register.js');
for (const [title, setup, kind] of [
  ['an app on built-in net (the reference)', { appNet: 'net', nodeArgs: [] }, 'net'],
  ['an app that requires cnet', { appNet: 'cnet', nodeArgs: [] }, 'cnet'],
  ['an app on require("net") started with node_args -r cnet/register', { appNet: 'net', nodeArgs: ['-r', register] }, 'cnet'],
]) {
  test(`pm2 cluster mode, 2 instances of ${title}: both serve, and pm2 reload refuses or resets no connection`,
    { timeout: 120000, skip }, async () => {
      const { before, during, after } = await underPm2(setup);
      assert.deepStrictEqual(before.kinds, [kind]);
      assert.strictEqual(before.pids.size, 2, 'both instances answered');
      // A connection the primary hands to an instance that exits before taking
      // it waits unanswered, with built-in net as with cnet (cluster's
      // round-robin race); none may be refused, reset or closed unanswered.
      const failed = during.failed.filter((why) => why !== 'stalled');
      assert.deepStrictEqual(failed, [], `connections that failed during the reload (${during.answered} answered)`);
      assert.ok(during.answered > 0, 'connections were made during the reload');
      assert.deepStrictEqual(after.kinds, [kind]);
      assert.strictEqual(after.pids.size, 2, 'both new instances answered');
      for (const pid of after.pids) assert.ok(!before.pids.has(pid), 'the reload replaced the instances');
    });
}
