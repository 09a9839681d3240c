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

test('bench --quick (echo 100 connections, HTTP keep-alive) writes JSON with verified net, cnet and C samples, HTTP driven by the C load generator', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cnet-bench-'));
  const build = spawnSync(node, [path.join(root, 'bench', 'build.js')], { cwd: root, encoding: 'utf8', timeout: 120000 });
  assert.strictEqual(build.status, 0, build.stderr);
  const run = spawnSync(node, [path.join(root, 'bench', 'run.js'), '--quick', '--runtimes=node', '--scenarios=echo100,http',
    '--no-chart', `--results=${out}`], { cwd: root, encoding: 'utf8', timeout: 120000 });
  assert.strictEqual(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const files = fs.readdirSync(out).filter((f) => f.endsWith('.json'));
  assert.strictEqual(files.length, 1, `one runtime's JSON: ${files}`);
  const result = JSON.parse(fs.readFileSync(path.join(out, files[0]), 'utf8'));
  assert.ok(result.machine && result.machine.cpu, 'machine described');
  for (const id of ['echo100', 'http']) {
    const scenario = result.scenarios[id];
    assert.ok(scenario, `${id} present`);
    for (const impl of ['net', 'cnet', 'c']) {
      const entry = scenario.impls[impl];
      assert.strictEqual(entry.status, 'ok', `${id} ${impl}: ${entry.reason}`);
      assert.ok(entry.samples.length > 0, `${id} ${impl} has samples`);
      for (const sample of entry.samples) assert.ok(sample.value > 0, `${id} ${impl} sample measured`);
    }
  }
  for (const sample of result.scenarios.http.impls.cnet.samples) {
    assert.strictEqual(sample.load.mode, 'http', 'the C load generator drove the HTTP rounds');
    assert.strictEqual(sample.load.non2xx + sample.load.errors, 0, 'every response was a framed 200');
  }
  fs.rmSync(out, { recursive: true, force: true });
});

// The load generator's HTTP mode, against servers that answer in a fixed way.
function loadgenHttpAgainst(response) {
  const net = require('node:net');
  const { execFile } = require('child_process');
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.on('data', () => socket.write(response));
    });
    server.listen(0, '127.0.0.1', () => {
      const args = ['http', '--port', String(server.address().port), '--conns', '2', '--duration', '0.2', '--timeout', '20'];
      execFile(path.join(root, 'bench', 'build', 'loadgen'), args, { timeout: 30000 }, (err, stdout) => {
        server.close();
        if (err) reject(err);
        else resolve(JSON.parse(stdout.trim().split('\n').pop()));
      });
    });
  });
}

test('bench loadgen http counts non-2xx responses and drops connections whose responses it cannot frame', async () => {
  const build = spawnSync(node, [path.join(root, 'bench', 'build.js')], { cwd: root, encoding: 'utf8', timeout: 120000 });
  assert.strictEqual(build.status, 0, build.stderr);
  const ok = await loadgenHttpAgainst('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
  assert.ok(ok.requests > 0 && ok.non2xx === 0 && ok.errors === 0, JSON.stringify(ok));
  assert.strictEqual(ok.body_bytes, ok.total_requests * 5);
  const notFound = await loadgenHttpAgainst('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  assert.ok(notFound.total_requests > 0 && notFound.non2xx === notFound.total_requests && notFound.errors === 0,
    JSON.stringify(notFound));
  const unframed = await loadgenHttpAgainst('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nok');
  assert.ok(unframed.errors > 0 && unframed.total_requests === 0, JSON.stringify(unframed));
});
