'use strict';
// require('cnet/register'): afterwards userland require('net') / require('node:net')
// (and ES imports on Node and Deno) give cnet; proven with ioredis, which requires 'net' itself,
// against a real redis-server. Every case runs in a child of the runtime under test.
const test = require('node:test');
const assert = require('assert');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { builtin, listen, close } = require('./helpers/modules');
const { runJsonFixture } = require('./helpers/child-args');

const root = path.join(__dirname, '..');
const registerPath = path.join(root, 'register.js');
const fixtures = path.join(__dirname, 'fixtures', 'register');

const bunEsm = Boolean(process.versions.bun) && 'on Bun, ES imports of builtins are not redirected: Bun resolves them before runtime plugins (onResolve is not called; build.module() refuses to override "net") and Module._resolveFilename applies to require() only';

// Runs a fixture in a child of this runtime; resolves with the JSON line it printed.
function runFixture(runtimeArgs, fixture, fixtureArgs = []) {
  return runJsonFixture(runtimeArgs, path.join(fixtures, fixture), fixtureArgs, root);
}

async function freePort() {
  const server = builtin.createServer();
  const { port } = await listen(server, 0, '127.0.0.1');
  await close(server);
  return port;
}

function redisServerMissing() {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0 ? 'redis-server is not installed (.ci/run installs it with apt-get)' : false;
}

// redis-server on loopback, no persistence, killed after 60 s at the latest.
// Resolves with { port, stop } once it accepts connections, rejects otherwise.
async function startRedis() {
  const port = await freePort();
  // The sanitizer run preloads its runtimes into every child; redis-server is not under test.
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { cwd: os.tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  let output = '';
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready after 10 s: ${output}`)), 10000);
      const watch = (d) => {
        output += d;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', watch);
      child.stderr.on('data', watch);
      child.on('error', (err) => { clearTimeout(timer); reject(err); });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited (${code}): ${output}`)); });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
}

const requireExpectation = { net: true, nodeNet: true, idempotent: true, ownInternalsGetBuiltin: true, builtinUntouched: true };

test('-r register.js: require("net") and require("node:net") give cnet; cnet itself still gets the built-in', async () => {
  assert.deepStrictEqual(await runFixture(['-r', registerPath], 'require.js'), requireExpectation);
});

test('require("cnet/register") from code (through the package exports map) does the same', async () => {
  assert.deepStrictEqual(await runFixture([], 'require.js'), requireExpectation);
});

for (const flag of ['--import', '-r']) {
  test(`${flag} register.js: import net from 'net', named, namespace and dynamic imports of node:net give cnet`, { skip: bunEsm }, async () => {
    assert.deepStrictEqual(await runFixture([flag, registerPath], 'import.mjs'), {
      defaultImport: true, namedImports: true, namespace: true, dynamicImport: true, require: true, sameExportNames: true,
    });
  });
}

test('ioredis (which requires net itself) on cnet sockets: SET/GET, 1000 pipelined INCRs, 1 MiB binary value, pub/sub',
  { timeout: 60000, skip: redisServerMissing() }, async (t) => {
    let redis;
    try {
      redis = await startRedis();
    } catch (err) {
      t.skip(`redis-server could not be started: ${err.message}`);
      return;
    }
    try {
      const result = await runFixture(['-r', registerPath], 'ioredis-client.js', [String(redis.port)]);
      assert.deepStrictEqual(result, {
        greeting: 'hello from cnet',
        pipelineErrors: 0,
        pipelineLast: 1000,
        counter: 1000,
        binaryEqual: true,
        pubSub: { receivers: 1, channel: 'cnet-channel', equal: true },
        // The proof that register took effect: ioredis's own connections are cnet sockets.
        streamsAreCnetSockets: [true, true],
        streamsRemotePorts: [redis.port, redis.port],
      });
    } finally {
      await redis.stop();
    }
  });

// The instrumentation patches net.Socket.prototype.connect of whatever require('net')
// gives, so its spans on cnet sockets must be those it makes on built-in net's.
test('@opentelemetry/instrumentation-net records the same connect spans on cnet (-r register.js) as on built-in net', async () => {
  const [onNet, onCnet] = await Promise.all([
    runFixture([], 'otel-net.js'),
    runFixture(['-r', registerPath], 'otel-net.js'),
  ]);
  assert.strictEqual(onNet.cnet, false);
  assert.strictEqual(onCnet.cnet, true);
  assert.strictEqual(onNet.spans.length, 4);
  assert.deepStrictEqual(onCnet.spans, onNet.spans);
});
