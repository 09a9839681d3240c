'use strict';
// TLS scenarios in one process, the way STARTTLS servers and clients layer TLS:
//   <runtime> bench/scenarios/tls-main.js <net|cnet> <bulk|rr> <warmup s> <duration s>
// The server wraps each accepted socket in `new tls.TLSSocket(socket, { isServer: true })`;
// the client connects a plain socket and calls `tls.connect({ socket })`.
// bulk: the client streams 64 KiB writes (with backpressure) for the duration, the
//   server counts and checks the bytes; MB/s of cleartext.
// rr: 8 connections, each with one 64-byte request in flight, the server answers
//   each with 64 bytes; requests/s.
// Prints one JSON line (or {"error"} and exit 1).

const fs = require('fs');
const path = require('path');
const tls = require('tls');
const { loadImpl, bulkPattern, runtimeName } = require('./common');

const [impl, mode, warmS, durS] = process.argv.slice(2);
const warmup = Number(warmS) * 1000;
const duration = Number(durS) * 1000;
const fixtures = path.join(__dirname, '..', '..', 'test', 'fixtures', 'tls');
const key = fs.readFileSync(path.join(fixtures, 'key.pem'));
const cert = fs.readFileSync(path.join(fixtures, 'cert.pem'));

function fail(msg) {
  process.stdout.write(`${JSON.stringify({ error: msg })}\n`);
  process.exit(1);
}

let net;
try {
  net = loadImpl(impl);
} catch (err) {
  fail(String(err.message).split('\n')[0]);
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function secureClient(port) {
  return new Promise((resolve, reject) => {
    const raw = net.connect(port, '127.0.0.1', () => {
      const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' }, () => resolve(client));
      client.on('error', reject);
    });
    raw.on('error', reject);
  });
}

// Phases: warm-up, then a measured window; count() returns the running total.
// cpu_s is the process's CPU time (user + system, both ends) in the window.
function measure(count, stop) {
  return new Promise((resolve) => {
    setTimeout(() => {
      const start = count();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      setTimeout(() => {
        const units = count() - start;
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        stop();
        resolve({ units, seconds, cpu_s: (cpu.user + cpu.system) / 1e6 });
      }, duration);
    }, warmup);
  });
}

async function bulk() {
  const chunk = bulkPattern();
  let received = 0;
  let mismatch = false;
  const server = net.createServer((raw) => {
    const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
    secure.on('data', (d) => {
      // check a byte per chunk against the pattern (writes are whole 64 KiB chunks)
      if (d[0] !== chunk[received % chunk.length]) mismatch = true;
      received += d.length;
    });
    secure.on('error', () => {});
  });
  const port = await listen(server);
  const client = await secureClient(port);
  let running = true;
  const pump = () => {
    while (running && client.write(chunk));
  };
  client.on('drain', pump);
  pump();
  const r = await measure(() => received, () => { running = false; });
  client.destroy();
  server.close();
  if (mismatch) throw new Error('received bytes differ from the pattern sent');
  return { mb_per_s: r.units / 1e6 / r.seconds, bytes: r.units, seconds: r.seconds,
    cpu_us_per_unit: (r.cpu_s * 1e6) / (r.units / 1e6) };
}

async function requestResponse() {
  const conns = 8;
  const size = 64;
  const server = net.createServer((raw) => {
    raw.setNoDelay(true);
    const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
    let pending = 0;
    secure.on('data', (d) => {
      pending += d.length;
      while (pending >= size) {
        pending -= size;
        secure.write(d.subarray(0, size));
      }
    });
    secure.on('error', () => {});
  });
  const port = await listen(server);
  let total = 0;
  let running = true;
  const clients = [];
  for (let c = 0; c < conns; c++) {
    const client = await secureClient(port);
    client.setNoDelay(true);
    const msg = Buffer.alloc(size, c + 1);
    let got = 0;
    client.on('data', (d) => {
      if (d[0] !== c + 1) throw new Error('reply bytes differ from the request');
      got += d.length;
      if (got < size) return;
      got = 0;
      total++;
      if (running) client.write(msg);
    });
    clients.push({ client, msg });
  }
  for (const { client, msg } of clients) client.write(msg);
  const r = await measure(() => total, () => { running = false; });
  for (const { client } of clients) client.destroy();
  server.close();
  return { req_per_s: r.units / r.seconds, requests: r.units, seconds: r.seconds,
    cpu_us_per_unit: (r.cpu_s * 1e6) / r.units };
}

const run = mode === 'bulk' ? bulk : mode === 'rr' ? requestResponse : null;
if (!run) fail(`unknown mode ${mode}`);
run().then((res) => {
  process.stdout.write(`${JSON.stringify({ mode, impl, runtime: runtimeName(), ...res })}\n`);
  process.exit(0);
}, (err) => fail(err && err.message ? err.message : String(err)));
