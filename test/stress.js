'use strict';
// `npm run test:stress [-- --duration=30 --connections=10000]`: soak test of cnet.
// A cnet server and N cnet client connections (loopback), in two processes. Each
// client keeps up to DEPTH framed messages in flight; a message is
//   [u32 length][u32 sequence][u32 crc32 of payload][payload of random size]
// with the payload sliced from a random pool. The server checks every frame's
// sequence and checksum and echoes it back unchanged; the client compares each echo
// byte for byte with what it sent, in order. At the end every client waits for its
// echoes and ends. Counted: bytes sent/received, lost, corrupted, reordered (all must
// be 0 but the first two), unexpected errors (0), and RSS sampled every second after
// the warm-up (growth must stay under 10%). Exits non-zero on any violation.
// All connections are opened and accepted first, then the traffic runs.
//
// The server runs in a child process of its own (`--role=server`), so each process
// holds one descriptor per connection; both re-run with the fd limit raised to 65536
// through bash's ulimit, or to the hard limit where 65536 is not allowed (20,000 in
// some containers: enough for 10,000 connections per process, not for both ends).
const path = require('path');
const fs = require('fs');
const zlib = require('zlib');
const { spawnSync } = require('child_process');
const { jsonLines } = require('./helpers/json-lines');

function option(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}

const DURATION_S = option('duration', 30);
const CONNECTIONS = option('connections', 10000);
const WARMUP_S = option('warmup', Math.min(10, Math.max(2, Math.round(DURATION_S / 4))));
const DEPTH = option('depth', 3);
const MAX_PAYLOAD = option('max-payload', 16 * 1024);
const FD_LIMIT = 65536;

const ROLE = process.argv.includes('--role=server') ? 'server' : 'clients';

if (!process.env.CNET_STRESS_CHILD) {
  // Raise the soft limit to 65536, or to the hard limit where 65536 is not allowed.
  const env = { ...process.env, CNET_STRESS_CHILD: '1' };
  const run = spawnSync('bash', ['-c', `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`,
    process.execPath, __filename, ...process.argv.slice(2)], { stdio: 'inherit', env });
  if (run.error) {
    console.error(`stress: could not start: ${run.error.message}`);
    process.exit(1);
  }
  process.exit(run.status === null ? 1 : run.status);
}

// CNET_STRESS_NET=net runs the same load on built-in net (for comparison only).
const net = require(process.env.CNET_STRESS_NET === 'net' ? 'net' : path.join(__dirname, '..', 'lib', 'net.js'));
const crypto = require('crypto');

const crc32 = typeof zlib.crc32 === 'function' ? zlib.crc32 : (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return (buf) => {
    let c = -1;
    for (let i = 0; i < buf.length; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
    return (c ^ -1) >>> 0;
  };
})();

const HEADER = 12;
const pool = crypto.randomBytes(1024 * 1024 + MAX_PAYLOAD);
const stats = {
  connected: 0,
  maxOpen: 0,
  open: 0,
  messagesSent: 0,
  messagesEchoed: 0,
  bytesSent: 0, // client -> server, frames included
  bytesReceivedByServer: 0,
  bytesEchoed: 0, // server -> client, back at the client
  lost: 0,
  corrupted: 0,
  reordered: 0,
  unexpectedErrors: 0,
  errorSamples: [],
};

function unexpected(where, err) {
  stats.unexpectedErrors++;
  if (stats.errorSamples.length < 10) stats.errorSamples.push(`${where}: ${err && (err.code || err.message)}`);
}

// Splits a byte stream into frames; calls onFrame(frame) for each whole one.
function framer(onFrame) {
  let chunks = [];
  let have = 0;
  return (data) => {
    chunks.push(data);
    have += data.length;
    while (have >= HEADER) {
      let head = chunks[0];
      if (head.length < HEADER) { head = Buffer.concat(chunks); chunks = [head]; }
      const size = HEADER + head.readUInt32LE(0);
      if (have < size) return;
      if (head.length < size) { head = Buffer.concat(chunks); chunks = [head]; }
      onFrame(head.subarray(0, size));
      if (head.length === size) chunks.shift();
      else chunks[0] = head.subarray(size);
      have -= size;
    }
  };
}

function rssMiB() {
  return process.memoryUsage.rss() / 1048576;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Server process: checks order and checksum of each frame, echoes it. Talks to the
// client process over stdin/stdout: prints {"port"}; on "warm" starts sampling RSS
// every second; on "stop" closes and prints its figures.
function runServer() {
  const samples = [];
  let sampler = null;
  // Server: checks order and checksum of each frame, echoes it.
  const server = net.createServer((socket) => {
    stats.open++;
    let expectSeq = 0;
    socket.on('data', framer((frame) => {
      stats.bytesReceivedByServer += frame.length;
      const seq = frame.readUInt32LE(4);
      if (seq !== expectSeq) stats.reordered++;
      expectSeq = seq + 1;
      if (crc32(frame.subarray(HEADER)) !== frame.readUInt32LE(8)) stats.corrupted++;
      socket.write(frame);
    }));
    socket.on('end', () => socket.end());
    socket.on('error', (err) => unexpected('server socket', err));
    socket.on('close', () => { stats.open--; });
  });
  server.on('error', (err) => unexpected('server', err));

  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });
  const openTracker = setInterval(() => { stats.maxOpen = Math.max(stats.maxOpen, stats.open); }, 200);
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text) => {
    input += text;
    if (input.includes('warm\n') && !sampler) {
      samples.push(rssMiB());
      sampler = setInterval(() => samples.push(rssMiB()), 1000);
    }
    if (input.includes('count\n')) {
      input = input.replace('count\n', '');
      process.stdout.write(`${JSON.stringify({ open: stats.open })}\n`);
    }
    if (input.includes('stop\n')) {
      input = '';
      clearInterval(sampler);
      clearInterval(openTracker);
      stats.maxOpen = Math.max(stats.maxOpen, stats.open);
      const heldAtStop = stats.open;
      process.stdout.write(`${JSON.stringify({
        maxOpen: stats.maxOpen, heldAtStop, bytesReceived: stats.bytesReceivedByServer, reordered: stats.reordered,
        corrupted: stats.corrupted, unexpectedErrors: stats.unexpectedErrors, errorSamples: stats.errorSamples, samples,
      })}\n`);
      // Exits once the clients have ended every connection.
      server.close(() => process.exit(0));
    }
  });
}

let stopping = false;
const clients = [];

function startClient(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const inFlight = []; // { seq, offset, length } in send order
    let seq = 0;
    const state = { socket, inFlight, done: null, closed: false };
    const sendOne = () => {
      const length = Math.random() < 0.9 ? 1 + Math.floor(Math.random() * 1024) : 1 + Math.floor(Math.random() * MAX_PAYLOAD);
      const offset = Math.floor(Math.random() * (pool.length - length));
      const payload = pool.subarray(offset, offset + length);
      const header = Buffer.allocUnsafe(HEADER);
      header.writeUInt32LE(length, 0);
      header.writeUInt32LE(seq, 4);
      header.writeUInt32LE(crc32(payload), 8);
      inFlight.push({ seq, offset, length });
      seq++;
      socket.cork();
      socket.write(header);
      socket.write(payload);
      socket.uncork();
      stats.messagesSent++;
      stats.bytesSent += HEADER + length;
    };
    const fill = () => {
      while (!stopping && inFlight.length < DEPTH) sendOne();
      if (stopping && inFlight.length === 0 && state.done) state.done();
    };
    socket.on('data', framer((frame) => {
      stats.bytesEchoed += frame.length;
      const sent = inFlight.shift();
      if (!sent) { stats.corrupted++; return; }
      if (frame.readUInt32LE(4) !== sent.seq) stats.reordered++;
      const payload = frame.subarray(HEADER);
      if (payload.length !== sent.length || !payload.equals(pool.subarray(sent.offset, sent.offset + sent.length))) stats.corrupted++;
      stats.messagesEchoed++;
      fill();
    }));
    state.start = fill;
    socket.on('connect', () => {
      stats.connected++;
      resolve(state);
    });
    socket.on('error', (err) => { unexpected('client', err); resolve(state); });
    socket.on('close', () => { state.closed = true; });
    clients.push(state);
  });
}

// Starts the server process: { child, next() }, next() resolving with its next JSON
// line and rejecting if it exits (main() then reports FAIL).
function startServerProcess() {
  const { spawn } = require('child_process');
  const child = spawn(process.execPath, [__filename, '--role=server'], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  return { child, next: jsonLines(child).next };
}

async function main() {
  const started = Date.now();
  const serverProcess = startServerProcess();
  const { port } = await serverProcess.next();
  console.log(`stress: ${CONNECTIONS} connections, ${DURATION_S} s (warm-up ${WARMUP_S} s), up to ${DEPTH} messages in flight each, payloads 1..${MAX_PAYLOAD} bytes; fd limit ${require('child_process').execSync('ulimit -n', { shell: '/bin/bash' }).toString().trim()}`);

  // Connect in batches so the accept queue never overflows.
  const batch = 500;
  for (let i = 0; i < CONNECTIONS; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, CONNECTIONS - i) }, () => startClient(port)));
  }
  // Traffic starts once the server has accepted every connection: under full load
  // its loop (built-in net's too) leaves new connections queued in the backlog.
  const acceptDeadline = Date.now() + 60000;
  let accepted = 0;
  while (Date.now() < acceptDeadline) {
    serverProcess.child.stdin.write('count\n');
    accepted = (await serverProcess.next()).open;
    if (accepted >= CONNECTIONS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const connectSeconds = (Date.now() - started) / 1000;
  console.log(`stress: ${stats.connected} connected, ${accepted} accepted by the server in ${connectSeconds.toFixed(1)} s`);
  for (const c of clients) c.start();

  const samples = [];
  const runStart = Date.now();
  await new Promise((resolve) => {
    const sampler = setInterval(() => {
      const elapsed = (Date.now() - runStart) / 1000;
      if (elapsed >= WARMUP_S) {
        if (samples.length === 0) serverProcess.child.stdin.write('warm\n');
        samples.push(rssMiB());
      }
      if (elapsed >= DURATION_S) {
        clearInterval(sampler);
        resolve();
      }
    }, 1000);
  });

  // Stop sending; wait for every echo, then stop the server and end every client.
  stopping = true;
  let drainTimer;
  const drained = await Promise.race([
    Promise.all(clients.map((c) => new Promise((resolve) => {
      if (c.inFlight.length === 0 || c.closed) resolve();
      else c.done = resolve;
    }))).then(() => true),
    new Promise((resolve) => { drainTimer = setTimeout(() => resolve(false), 20000); }),
  ]);
  clearTimeout(drainTimer);
  for (const c of clients) stats.lost += c.inFlight.length;
  // What the stuck connections look like, for the report.
  const stuck = clients.filter((c) => c.inFlight.length && !c.closed).slice(0, 3).map((c) => ({
    inFlight: c.inFlight.length,
    writableLength: c.socket.writableLength,
    writableCorked: c.socket.writableCorked,
    writableNeedDrain: c.socket.writableNeedDrain,
    bytesWritten: c.socket.bytesWritten,
    bytesRead: c.socket.bytesRead,
    readableFlowing: c.socket.readableFlowing,
    readableLength: c.socket.readableLength,
  }));
  serverProcess.child.stdin.write('stop\n');
  const serverFigures = await serverProcess.next();
  await Promise.all(clients.map((c) => new Promise((resolve) => {
    if (c.closed) return resolve();
    c.socket.on('close', resolve);
    c.socket.end();
  })));

  const growthOf = (values) => {
    const baseline = median(values.slice(0, 3));
    const final = median(values.slice(-3));
    return {
      afterWarmup: Number(baseline.toFixed(1)),
      final: Number(final.toFixed(1)),
      max: Number(Math.max(...values).toFixed(1)),
      samples: values.length,
      growthPercent: Number((((final - baseline) / baseline) * 100).toFixed(2)),
    };
  };
  const seconds = (Date.now() - runStart) / 1000;
  const bytesReceivedByServer = serverFigures.bytesReceived;
  const figures = {
    connections: CONNECTIONS,
    connected: stats.connected,
    heldConcurrentlyByServer: serverFigures.maxOpen,
    heldByServerAtStop: serverFigures.heldAtStop,
    seconds: Number(seconds.toFixed(1)),
    messagesSent: stats.messagesSent,
    messagesEchoed: stats.messagesEchoed,
    bytesSent: stats.bytesSent,
    bytesReceivedByServer,
    bytesEchoed: stats.bytesEchoed,
    bytesExchanged: stats.bytesSent + stats.bytesEchoed,
    lostMessages: stats.lost,
    lostBytes: (stats.bytesSent - bytesReceivedByServer) + (bytesReceivedByServer - stats.bytesEchoed),
    corrupted: stats.corrupted + serverFigures.corrupted,
    reordered: stats.reordered + serverFigures.reordered,
    unexpectedErrors: stats.unexpectedErrors + serverFigures.unexpectedErrors,
    errorSamples: [...stats.errorSamples, ...serverFigures.errorSamples],
    drained,
    stuckSample: stuck,
    rssMiB: {
      clients: samples.length >= 3 ? growthOf(samples) : null,
      server: serverFigures.samples.length >= 3 ? growthOf(serverFigures.samples) : null,
    },
  };
  console.log(JSON.stringify(figures, null, 2));

  const violations = [];
  if (stats.connected !== CONNECTIONS) violations.push(`only ${stats.connected} of ${CONNECTIONS} connected`);
  if (serverFigures.heldAtStop !== CONNECTIONS) violations.push(`server held ${serverFigures.heldAtStop} of ${CONNECTIONS} connections at the end`);
  if (!drained) violations.push('some echoes never came back');
  if (stats.lost || figures.lostBytes) violations.push(`lost: ${stats.lost} messages, ${figures.lostBytes} bytes`);
  if (figures.corrupted) violations.push(`corrupted: ${figures.corrupted}`);
  if (figures.reordered) violations.push(`reordered: ${figures.reordered}`);
  if (figures.unexpectedErrors) violations.push(`unexpected errors: ${figures.unexpectedErrors}`);
  for (const [who, rss] of Object.entries(figures.rssMiB)) {
    if (!rss) violations.push(`run too short to sample ${who} RSS after the warm-up`);
    else if (rss.growthPercent >= 10) violations.push(`${who} RSS grew ${rss.growthPercent}% after the warm-up`);
  }
  console.log(violations.length ? `stress: FAIL\n  ${violations.join('\n  ')}` : 'stress: PASS');
  process.exit(violations.length ? 1 : 0);
}

const watchdog = setTimeout(() => {
  console.error('stress: FAIL (did not finish in time)');
  process.exit(1);
}, (DURATION_S + option("grace", 180)) * 1000);
watchdog.unref();

if (ROLE === 'server') runServer();
else main().catch((err) => {
  console.error(`stress: FAIL (${err.stack})`);
  process.exit(1);
});
