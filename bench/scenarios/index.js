'use strict';
// Scenario definitions and their runners. A runner takes (ctx, runtime, impl)
// with impl one of 'net' | 'cnet' | 'c' and returns one sample
// { value, ...details } or throws (the error text becomes the row's reason).

const fs = require('fs');
const path = require('path');
const { LineProc, runToEnd, cpuNs, rssBytes, sleep } = require('../lib/proc');
const { REQUEST_SIZE } = require('./common');

const SERVER_MAIN = path.join(__dirname, 'server-main.js');
const CLIENT_MAIN = path.join(__dirname, 'client-main.js');
const TLS_MAIN = path.join(__dirname, 'tls-main.js');

class Unavailable extends Error {}

// ---- servers ---------------------------------------------------------------

async function startServer(ctx, rt, impl, mode, { ulimit = false, valgrind = null, cluster = null } = {}) {
  let cmd;
  let args;
  if (impl === 'c' && cluster) throw new Unavailable('no C counterpart: cluster is the runtime\'s');
  if (impl === 'c') {
    if (!ctx.build.ok) throw new Unavailable(`C programs not built: ${ctx.build.error}`);
    cmd = ctx.build.cserver;
    args = [mode];
  } else {
    cmd = rt.bin;
    args = [...rt.args, SERVER_MAIN, impl, mode, ...(cluster ? ['127.0.0.1', `--cluster=${cluster}`] : [])];
  }
  if (valgrind) {
    // instrumentation starts off: the counted part switches it on (callgrindCount)
    args = ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${valgrind}`, cmd, ...args];
    cmd = 'valgrind';
  }
  if (ulimit) {
    args = ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', cmd, ...args];
    cmd = 'sh';
  }
  const p = new LineProc(cmd, args);
  let hello;
  try {
    hello = await p.nextJSON(valgrind ? 300000 : 15000);
  } catch (err) {
    p.kill();
    throw new Unavailable(`server did not start: ${err.message}`);
  }
  if (hello.error) {
    p.kill();
    await p.waitExit(2000);
    throw new Unavailable(hello.error);
  }
  const srv = {
    proc: p,
    port: hello.port,
    pid: hello.pid,
    // A cluster's primary and workers: the CPU of all of them is the server's.
    pids: hello.pids || [hello.pid],
    impl,
    async mem() {
      if (impl === 'c') return { rss: rssBytes(hello.pid) };
      p.send('mem\n');
      const m = await p.nextJSON(15000);
      m.rssProc = rssBytes(hello.pid);
      return m;
    },
    async stop(timeoutMs = 5000) {
      p.send(impl === 'c' ? 'x\n' : 'exit\n');
      p.endInput();
      return p.waitExit(timeoutMs);
    },
    alive() {
      return !p.exited;
    },
  };
  return srv;
}

async function loadgen(ctx, args, timeoutS) {
  if (!ctx.build.ok) throw new Unavailable(`C programs not built: ${ctx.build.error}`);
  const r = await runToEnd(ctx.build.loadgen, [...args, '--timeout', String(timeoutS)], (timeoutS + 10) * 1000);
  const last = r.lines.filter((l) => l.trim().startsWith('{')).pop();
  let json = null;
  try {
    json = last ? JSON.parse(last) : null;
  } catch (_) { /* fall through */ }
  if (json && json.error) throw new Error(`load generator: ${json.error}`);
  if (r.code !== 0 || !json) {
    const tail = r.stderr.trim().split('\n').slice(-2).join(' | ');
    throw new Error(`load generator failed (${r.signal || r.code})${tail ? `: ${tail}` : ''}`);
  }
  return json;
}

// Run fn(srv) against a fresh server; the server must survive the run.
async function withServer(ctx, rt, impl, mode, opts, fn) {
  const srv = await startServer(ctx, rt, impl, mode, opts);
  try {
    const res = await fn(srv);
    if (!srv.alive()) throw new Error(`server died: ${srv.proc.describeExit()}`);
    return res;
  } catch (err) {
    if (!srv.alive() && !(err instanceof Unavailable)) {
      err.message += ` (server ${srv.proc.describeExit()})`;
    }
    throw err;
  } finally {
    await srv.stop();
  }
}

// ---- load-generator driven scenarios -------------------------------------

const serverCpuNs = (srv) => srv.pids.reduce((sum, pid) => sum + cpuNs(pid), 0);

// check(result) throws when the generator's result shows a failed round.
function loadScenario(serverMode, loadArgs, metric, perUnit, check = () => {}, serverOptions = {}) {
  return (ctx, rt, impl) => withServer(ctx, rt, impl, serverMode, serverOptions, async (srv) => {
    const c0 = serverCpuNs(srv);
    const r = await loadgen(ctx, [...loadArgs(ctx.cfg), '--port', String(srv.port)], ctx.cfg.runTimeout);
    const c1 = serverCpuNs(srv);
    check(r);
    const cpu = (c1 - c0) / 1e9;
    const units = perUnit(r);
    return { value: r[metric], server_cpu_s: cpu, server_cpu_us_per_unit: units ? (cpu * 1e6) / units : null, load: r };
  });
}

const echoArgs = (conns) => (cfg) => ['echo', '--conns', String(conns), '--inflight', String(cfg.inflight),
  '--size', '64', '--warmup', String(cfg.warmup), '--duration', String(cfg.duration)];

const churnArgs = (cfg) => ['churn', '--conns', '8', '--size', '64', '--warmup', String(cfg.warmup),
  '--duration', String(cfg.duration)];

// The pipeline server answers each REQUEST_SIZE-byte request with its own
// write; the generator sends 16 of them at a time in one write.
const pipelineArgs = (cfg) => ['echo', '--conns', '50', '--inflight', '16', '--size', String(REQUEST_SIZE),
  '--warmup', String(cfg.warmup), '--duration', String(cfg.duration)];

// ---- idle connections -------------------------------------------------------

async function runIdle(ctx, rt, impl) {
  const n = ctx.cfg.idleConns;
  return withServer(ctx, rt, impl, 'echo', { ulimit: true }, async (srv) => {
    await sleep(100);
    const m0 = await srv.mem();
    const rss0 = rssBytes(srv.pid);
    const lg = new LineProc(ctx.build.loadgen, ['idle', '--conns', String(n), '--size', '16',
      '--port', String(srv.port), '--timeout', String(ctx.cfg.runTimeout)]);
    try {
      const ready = await lg.nextJSON(ctx.cfg.runTimeout * 1000);
      if (ready.error || !ready.ready) throw new Error(`load generator: ${ready.error || 'not ready'}`);
      const c0 = cpuNs(srv.pid);
      const idleSecs = ctx.cfg.idleSeconds;
      await sleep(idleSecs * 1000);
      const idleCpu = (cpuNs(srv.pid) - c0) / 1e9;
      const m1 = await srv.mem();
      const rss1 = rssBytes(srv.pid);
      lg.endInput();
      const done = await lg.nextJSON(30000).catch((e) => ({ error: e.message }));
      if (done.error) throw new Error(`load generator: ${done.error}`);
      const heap = m0.heapUsed != null ? (m1.heapUsed - m0.heapUsed) / n : null;
      const ext = m0.external != null ? (m1.external - m0.external) / n : null;
      return { value: (rss1 - rss0) / n, rss_per_conn: (rss1 - rss0) / n, heap_per_conn: heap,
        external_per_conn: ext, conns: n, rss_before: rss0, rss_after: rss1, mem_before: m0, mem_after: m1,
        setup_seconds: ready.setup_seconds, idle_cpu_percent: (100 * idleCpu) / idleSecs };
    } finally {
      lg.endInput();
      await lg.waitExit(10000);
    }
  });
}

// ---- client side ------------------------------------------------------------

async function runClient(ctx, rt, impl) {
  const cfg = ctx.cfg;
  return withServer(ctx, null, 'c', 'echo', {}, async (srv) => {
    if (impl === 'c') {
      const r = await loadgen(ctx, [...echoArgs(cfg.clientConns)(cfg), '--port', String(srv.port)], cfg.runTimeout);
      return { value: r.msgs_per_s, p50_us: r.p50_us, p99_us: r.p99_us, load: r };
    }
    const p = new LineProc(rt.bin, [...rt.args, CLIENT_MAIN, impl, String(srv.port), String(cfg.clientConns), '64',
      String(cfg.warmup), String(cfg.duration)]);
    let r;
    try {
      r = await p.nextJSON((cfg.runTimeout + 10) * 1000);
    } catch (err) {
      p.kill();
      throw new Unavailable(`client did not run: ${err.message}`);
    } finally {
      await p.waitExit(5000);
    }
    if (r.error) {
      if (/Cannot find module|not supported|unsupported|ERR_DLOPEN|undefined symbol/i.test(r.error)) throw new Unavailable(r.error);
      throw new Error(r.error);
    }
    return { value: r.msgs_per_s, p50_us: r.p50_us, p99_us: r.p99_us, load: r };
  });
}

// ---- TLS over the module's sockets, both ends in one process -----------------

const runTls = (mode, metric) => async (ctx, rt, impl) => {
  if (impl === 'c') throw new Unavailable('no C counterpart: bench/c has no TLS server');
  const cfg = ctx.cfg;
  const p = new LineProc(rt.bin, [...rt.args, TLS_MAIN, impl, mode, String(cfg.warmup), String(cfg.duration)]);
  let r;
  try {
    r = await p.nextJSON((cfg.runTimeout + 10) * 1000);
  } catch (err) {
    p.kill();
    throw new Unavailable(`TLS scenario did not run: ${err.message}`);
  } finally {
    await p.waitExit(5000);
  }
  if (r.error) throw new Error(r.error);
  return { value: r[metric], server_cpu_us_per_unit: r.cpu_us_per_unit, load: r };
};

// ---- HTTP, driven by the C load generator ---------------------------------------

// A round fails on any non-2xx response or connection error.
function checkHttp(r) {
  if (!r.total_requests) throw new Error('load generator completed no HTTP request');
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx responses, ${r.errors} connection errors`);
}

const httpArgs = (cfg) => ['http', '--conns', String(cfg.httpConns), '--warmup', String(cfg.warmup),
  '--duration', String(cfg.duration)];

// ---- instructions under callgrind ----------------------------------------------

function callgrindControl(ctx, args) {
  return runToEnd(ctx.callgrindControl, args, 60000).then((r) => {
    if (r.code !== 0) throw new Error(`callgrind_control ${args[0]} failed: ${`${r.stdout} ${r.stderr}`.trim().slice(0, 200)}`);
  });
}

// Instructions the echo server executes for `messages` messages on `conns`
// connections, counted between two points of one run under callgrind: after
// `warm` messages have warmed the JIT the counters are zeroed, then `messages`
// more are echoed on the same connections and the counters dumped, so
// start-up, JIT warm-up and connection set-up and tear-down stay outside.
async function callgrindCount(ctx, rt, impl, conns, [warm, messages]) {
  const out = path.join(ctx.tmpDir, `callgrind.${rt ? rt.id : 'c'}.${impl}.${conns}.out`);
  const srv = await startServer(ctx, rt, impl, 'echo', { valgrind: out });
  const lg = new LineProc(ctx.build.loadgen, ['echo', '--conns', String(conns), '--inflight', '1', '--size', '64',
    '--warmup-messages', String(warm), '--messages', String(messages), '--sync', '1', '--port', String(srv.port),
    '--timeout', '900']);
  let r;
  try {
    const w = await lg.nextJSON(900000);
    if (w.error) throw new Error(`load generator: ${w.error}`);
    await callgrindControl(ctx, ['--instr=on', String(srv.pid)]);
    await callgrindControl(ctx, ['--zero', String(srv.pid)]);
    lg.send('\n');
    r = await lg.nextJSON(900000);
    if (r.error) throw new Error(`load generator: ${r.error}`);
    await callgrindControl(ctx, ['--dump', String(srv.pid)]);
    lg.endInput();
    await lg.waitExit(30000);
  } finally {
    lg.kill();
    await srv.stop(300000);
  }
  let dump = '';
  try {
    dump = fs.readFileSync(`${out}.1`, 'utf8');
  } catch (err) {
    throw new Error(`callgrind wrote no dump: ${err.message}`);
  }
  const m = /^(?:totals|summary):\s*(\d+)/m.exec(dump);
  if (!m) throw new Error('callgrind dump has no totals');
  return { instructions: Number(m[1]), warmup_messages: warm, messages, load_seconds: r.seconds };
}

const runInstructions = (conns) => async (ctx, rt, impl) => {
  if (!ctx.valgrind || !ctx.callgrindControl) throw new Unavailable('valgrind not installed (apt-get install valgrind)');
  const counts = conns === 1 ? ctx.cfg.instr1Messages : ctx.cfg.instrMessages;
  const c = await callgrindCount(ctx, rt, impl, conns, counts);
  return { value: c.instructions / c.messages, ...c };
};

// ---- the list -------------------------------------------------------------------

const SCENARIOS = [
  { id: 'echo1', cpuUnit: 'msg', title: 'echo 64 B, 1 connection', unit: 'msg/s', higher: true, latency: true,
    run: loadScenario('echo', echoArgs(1), 'msgs_per_s', (r) => r.total_msgs) },
  { id: 'echo100', cpuUnit: 'msg', title: 'echo 64 B, 100 connections', unit: 'msg/s', higher: true, latency: true,
    run: loadScenario('echo', echoArgs(100), 'msgs_per_s', (r) => r.total_msgs) },
  { id: 'pipeline', cpuUnit: 'msg', title: 'pipelined 16 x 32 B requests, one write per answer, 50 conns',
    unit: 'msg/s', higher: true, latency: true,
    run: loadScenario('pipeline', pipelineArgs, 'msgs_per_s', (r) => r.total_msgs) },
  { id: 'bulk-recv', cpuUnit: 'MB', title: 'bulk 64 KiB, under test receives', unit: 'MB/s', higher: true,
    run: loadScenario('sink', (cfg) => ['bulk-up', '--duration', String(cfg.duration)], 'mb_per_s', (r) => r.bytes / 1e6) },
  { id: 'bulk-send', cpuUnit: 'MB', title: 'bulk 64 KiB, under test sends', unit: 'MB/s', higher: true,
    run: loadScenario('source', (cfg) => ['bulk-down', '--duration', String(cfg.duration), '--burst', String(cfg.burst)],
      'mb_per_s', (r) => r.bytes / 1e6) },
  { id: 'churn', cpuUnit: 'conn', title: 'connection churn (8 at a time)', unit: 'conn/s', higher: true, latency: true,
   
    run: loadScenario('reply', churnArgs, 'conns_per_s', (r) => r.total_conns) },
  // Scale-out: two cluster workers serve the churn. Through the primary
  // (round-robin: it accepts and hands each connection to a worker, which cnet
  // adopts through a duplicate descriptor), or each worker with its own
  // reusePort socket (Node 20's net has no reusePort and goes through the primary).
  { id: 'cluster-churn', cpuUnit: 'conn', title: 'connection churn, 2 cluster workers via the primary',
    unit: 'conn/s', higher: true, latency: true,
    run: loadScenario('reply', churnArgs, 'conns_per_s', (r) => r.total_conns, undefined, { cluster: 'rr' }) },
  { id: 'reuseport-churn', cpuUnit: 'conn', title: 'connection churn, 2 cluster workers with reusePort',
    unit: 'conn/s', higher: true, latency: true,
    run: loadScenario('reply', churnArgs, 'conns_per_s', (r) => r.total_conns, undefined, { cluster: 'reuseport' }) },
  { id: 'idle', title: 'idle connections, RSS per conn', unit: 'B/conn', higher: false, run: runIdle },
  { id: 'client', title: 'client side, 100 conns to C echo', unit: 'msg/s', higher: true, latency: true, run: runClient },
  { id: 'tls-bulk', cpuUnit: 'MB', title: 'TLS bulk 64 KiB writes, in one process', unit: 'MB/s', higher: true, run: runTls('bulk', 'mb_per_s') },
  { id: 'tls-rr', cpuUnit: 'req', title: 'TLS request/response 64 B, 8 conns, in one process', unit: 'req/s', higher: true, run: runTls('rr', 'req_per_s') },
  { id: 'http', cpuUnit: 'req', title: 'HTTP/1.1 keep-alive, 50 connections', unit: 'req/s', higher: true, latency: true, run: loadScenario('http', httpArgs, 'req_per_s', (r) => r.total_requests, checkHttp) },
  { id: 'instr', title: 'echo 100 conns, instructions/msg', unit: 'instr/msg', higher: false, run: runInstructions(100), instructions: true },
  { id: 'instr1', title: 'echo 1 conn, instructions/msg', unit: 'instr/msg', higher: false, run: runInstructions(1), instructions: true },
];

module.exports = { SCENARIOS, Unavailable, startServer, loadgen };
