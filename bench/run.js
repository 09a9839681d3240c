#!/usr/bin/env node
'use strict';
// cnet benchmark driver.
//
//   npm run bench                    every scenario on every runtime, short rounds (~4 min)
//   npm run bench -- --full          the long run: 5 rounds of 2 s, 10,000 idle connections (~17 min)
//   npm run bench -- --quick         < 60 s smoke: echo-100 only on the extra runtimes
//
// Options: --runtimes=node20,node24,bun,deno  --scenarios=echo1,echo100,...  --rounds=N
//          --duration=S --warmup=S --idle-conns=N --no-install --no-chart
//          --instructions (add the callgrind rows to --quick) --no-instructions
//          --results=DIR (where the JSON, SVG and summary go; default bench/results)
//
// Every comparison runs built-in net, cnet and the C limit interleaved
// (net, cnet, C, net, cnet, C, ...) and reports the median of the rounds with
// the spread (min-max). A row that cannot run says why; nothing is estimated.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const { build } = require('./build');
const { resolveRuntimes, systemNode } = require('../tools/runtimes');
const { SCENARIOS, Unavailable } = require('./scenarios');
const { summarize, ratio, fmt } = require('./lib/stats');
const { which } = require('./lib/proc');
const { Progress } = require('./lib/progress');
const { verdict } = require('./lib/targets');
const { writeChart, writeMarkdown } = require('./chart');

let RESULTS = path.join(__dirname, 'results');
const IMPLS = ['net', 'cnet', 'c'];
const IMPL_LABEL = { net: 'net', cnet: 'cnet', c: 'C' };

function parseArgs(argv) {
  const o = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    o[m[1]] = m[2] === undefined ? true : m[2];
  }
  return o;
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

function machineInfo(ctx, runtimes) {
  let cpu = 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch (_) { /* not linux */ }
  const ver = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10000 });
    return r.status === 0 || (r.stdout || r.stderr) ? `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n')[0] : null;
  };
  return {
    cpu,
    cores: os.cpus().length,
    memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    hostname: os.hostname(),
    runtimes: Object.fromEntries(runtimes.map((r) => [r.id, r.error ? `unavailable: ${r.error}` : r.version])),
    libuv_headers: ctx.uvHeaders,
    node_libuv: process.versions.uv,
    cc: ver(process.env.CC || 'cc', ['--version']),
    valgrind: ctx.valgrind ? ver('valgrind', ['--version']) : null,
  };
}

// The three profiles. Instruction counts (instr, instr1: [warm-up messages,
// counted messages]) are the low-noise metric on this shared 2-core machine,
// so the default keeps them; they run on the system node only.
const PROFILES = {
  quick: {
    rounds: 2, warmup: 0.15, duration: 0.4, idleConns: 3000, idleSeconds: 0.25,
    instructions: false, instrMessages: [10000, 5000], instr1Messages: [10000, 5000],
  },
  default: {
    rounds: 3, warmup: 0.2, duration: 0.5, idleConns: 3000, idleSeconds: 0.5,
    instructions: true, instrMessages: [10000, 5000], instr1Messages: [10000, 5000],
  },
  full: {
    rounds: 5, warmup: 0.5, duration: 2, idleConns: 10000, idleSeconds: 1,
    instructions: true, instrMessages: [20000, 20000], instr1Messages: [10000, 10000],
  },
};

function config(args) {
  const profile = args.full ? 'full' : args.quick ? 'quick' : 'default';
  const cfg = {
    profile,
    quick: profile === 'quick',
    ...PROFILES[profile],
    inflight: 1,
    burst: 32 << 20,
    clientConns: 100,
    httpConns: 50,
    runTimeout: 60,
  };
  if (args.instructions) cfg.instructions = true;
  if (args['no-instructions']) cfg.instructions = false;
  if (args.rounds) cfg.rounds = Math.max(1, Number(args.rounds));
  if (args.duration) cfg.duration = Number(args.duration);
  if (args.warmup) cfg.warmup = Number(args.warmup);
  if (args['idle-conns']) cfg.idleConns = Number(args['idle-conns']);
  if (args.inflight) cfg.inflight = Number(args.inflight);
  // the idle scenario needs one descriptor per connection in each process
  const hard = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  const limit = hard === 'unlimited' ? Infinity : Number(hard);
  if (Number.isFinite(limit) && cfg.idleConns > limit - 200) {
    cfg.idleConnsNote = `lowered from ${cfg.idleConns}: hard open-file limit is ${limit}`;
    cfg.idleConns = Math.max(100, limit - 200);
  }
  return cfg;
}

// Which scenarios run on which runtime.
function plan(args, cfg, runtimes) {
  const wanted = args.scenarios ? String(args.scenarios).split(',') : null;
  const primary = runtimes[0] && runtimes[0].id;
  return (rt) => SCENARIOS.filter((s) => {
    if (s.instructions) {
      if (!(cfg.instructions || (wanted && wanted.includes(s.id)))) return false;
      if (rt.kind === 'bun' || rt.kind === 'deno') return false; // their JITs under valgrind are not a meaningful count
      if (!wanted && rt.id !== primary) return false;
    }
    if (wanted) return wanted.includes(s.id);
    if (cfg.quick && rt.id !== primary) return s.id === 'echo100';
    return true;
  });
}

// Estimated seconds of one sample (one round of one implementation), for the
// time left shown while running: process start-up plus the load's own time.
const PROBE_SECONDS = 1;
function sampleEstimate(sc, cfg, impl) {
  const start = impl === 'c' ? 0.05 : 0.2;
  if (sc.instructions) {
    // one run under valgrind: start-up and warm-up uninstrumented, then the counted messages
    const [warm, counted] = sc.id === 'instr1' ? cfg.instr1Messages : cfg.instrMessages;
    const perMsg = sc.id === 'instr1' ? 0.6e-3 : 1.5e-3;
    return impl === 'c' ? 1 : 8 + warm * 3e-4 + counted * perMsg;
  }
  if (sc.id === 'idle') return start + cfg.idleConns / 5000 + cfg.idleSeconds + 0.4;
  return start + (cfg.warmup || 0) + cfg.duration + 0.05;
}

const roundsOf = (sc, cfg) => (sc.instructions ? 1 : cfg.rounds);

function scenarioEstimate(sc, cfg, impls = IMPLS) {
  return impls.reduce((t, impl) => t + roundsOf(sc, cfg) * sampleEstimate(sc, cfg, impl), 0);
}

// The line a finished scenario leaves: median per implementation and cnet/net.
function resultLine(sc, entry) {
  const parts = IMPLS.map((impl) => {
    const row = entry.impls[impl];
    if (row.status === 'unavailable') return `${IMPL_LABEL[impl]} unavailable`;
    if (row.status === 'failed') return `${IMPL_LABEL[impl]} FAILED`;
    const failed = row.errors.length ? ` (${row.errors.length} failed)` : '';
    return `${IMPL_LABEL[impl]} ${fmt(row.summary.median)}${failed}`;
  });
  const r = entry.ratios.cnet_net;
  return `${parts.join('  ')} ${sc.unit}${r != null ? `  cnet/net ${fmt(r)}` : ''}`;
}

async function runRuntime(ctx, rt, scenarios, progress) {
  const res = {
    runtime: { id: rt.id, label: rt.label, bin: rt.bin, version: rt.version },
    started: new Date().toISOString(),
    config: ctx.cfg,
    machine: ctx.machine,
    scenarios: {},
  };
  // One probe per implementation: a server that cannot start marks the whole row.
  progress.begin(`[${rt.id}] ${rt.label}:`);
  progress.update('checking net, cnet and C');
  const status = {};
  for (const impl of IMPLS) {
    if (impl === 'c') {
      status.c = ctx.build.ok ? null : `C programs not built: ${ctx.build.error}`;
      continue;
    }
    try {
      const { startServer } = require('./scenarios');
      const srv = await startServer(ctx, rt, impl, 'echo');
      await srv.stop();
      status[impl] = null;
    } catch (err) {
      const why = err.message;
      status[impl] = rt.kind !== 'node' && impl === 'cnet' ? `unsupported on ${rt.label}: ${why}` : why;
    }
  }
  progress.advance(PROBE_SECONDS);
  const missing = IMPLS.filter((impl) => status[impl]);
  for (const sc of scenarios) progress.skip(scenarioEstimate(sc, ctx.cfg, missing));
  progress.end(IMPLS.map((impl) => `${IMPL_LABEL[impl]} ${status[impl] ? `unavailable: ${status[impl]}` : 'ok'}`).join(', '));

  for (const sc of scenarios) {
    const entry = {
      title: sc.title, unit: sc.unit, higher_is_better: sc.higher, cpu_unit: sc.cpuUnit || null,
      measured_at: new Date().toISOString(), config: ctx.cfg, impls: {},
    };
    for (const impl of IMPLS) entry.impls[impl] = { status: status[impl] ? 'unavailable' : 'ok', reason: status[impl], samples: [], errors: [] };
    const rounds = roundsOf(sc, ctx.cfg);
    progress.begin(`[${rt.id}] ${pad(sc.id, 10)}`);
    for (let r = 0; r < rounds; r++) {
      for (const impl of IMPLS) {
        const row = entry.impls[impl];
        if (row.status !== 'ok') continue;
        const est = sampleEstimate(sc, ctx.cfg, impl);
        progress.update(`round ${r + 1}/${rounds} ${IMPL_LABEL[impl]}`);
        try {
          const s = await sc.run(ctx, rt, impl);
          s.round = r;
          row.samples.push(s);
        } catch (err) {
          if (err instanceof Unavailable) {
            row.status = 'unavailable';
            row.reason = err.message;
            progress.skip(est * (rounds - r - 1));
          } else {
            row.errors.push(err.message);
          }
          progress.note(`[${rt.id}] ${sc.id} round ${r + 1}/${rounds} ${IMPL_LABEL[impl]}: ${err instanceof Unavailable ? 'unavailable' : 'FAILED'}: ${err.message}`);
        }
        progress.advance(est);
      }
    }
    for (const impl of IMPLS) {
      const row = entry.impls[impl];
      row.summary = summarize(row.samples.map((s) => s.value));
      const lat = (k) => summarize(row.samples.map((s) => (s[k] != null ? s[k] : s.load && s.load[k])).filter((x) => x != null));
      if (sc.latency) {
        row.p50_us = lat('p50_us');
        row.p99_us = lat('p99_us');
      }
      if (sc.id === 'idle') {
        row.heap_per_conn = summarize(row.samples.map((s) => s.heap_per_conn).filter((x) => x != null));
        row.idle_cpu_percent = summarize(row.samples.map((s) => s.idle_cpu_percent).filter((x) => x != null));
      }
      const gen = summarize(row.samples.map((s) => s.load && s.load.gen_busy).filter((x) => x != null));
      if (gen) row.gen_busy = gen;
      const cpu = summarize(row.samples.map((s) => s.server_cpu_us_per_unit).filter((x) => x != null));
      if (cpu) row.server_cpu_us_per_unit = cpu;
      if (!row.summary && row.status === 'ok') {
        row.status = 'failed';
        row.reason = row.errors[0] || 'no samples';
      }
    }
    const med = (impl) => (entry.impls[impl].summary ? entry.impls[impl].summary.median : null);
    entry.ratios = {
      cnet_net: ratio(med('cnet'), med('net')),
      cnet_c: ratio(med('cnet'), med('c')),
      net_c: ratio(med('net'), med('c')),
    };
    res.scenarios[sc.id] = entry;
    progress.end(resultLine(sc, entry));
  }
  res.finished = new Date().toISOString();
  return res;
}

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function cell(row, e) {
  if (!row) return '-';
  if (row.status === 'unavailable') return `unavailable: ${row.reason}`;
  if (row.status === 'failed') return `FAILED: ${row.reason}`;
  const s = row.summary;
  let t = `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})`;
  if (row.p99_us) t += ` p50/p99 ${fmt(row.p50_us.median)}/${fmt(row.p99_us.median)}us`;
  if (row.heap_per_conn && row.heap_per_conn.median != null) t += ` heap ${fmt(row.heap_per_conn.median)} B/conn`;
  if (row.idle_cpu_percent) t += ` idle cpu ${fmt(row.idle_cpu_percent.median)}%`;
  if (row.server_cpu_us_per_unit && e && e.cpu_unit) t += ` cpu ${fmt(row.server_cpu_us_per_unit.median)}us/${e.cpu_unit}`;
  if (row.gen_busy) t += ` gen ${Math.round(100 * row.gen_busy.median)}%`;
  if (row.errors && row.errors.length) t += ` [${row.errors.length} failed rounds]`;
  return t;
}

function printTable(all) {
  const out = [];
  out.push('');
  out.push('cnet benchmark: medians of interleaved rounds, spread (min-max) in parentheses; ratios are of medians');
  out.push('cpu = server CPU time per unit; gen = load generator busy, % of one core (near 100%: the row is bound by the generator)');
  for (const res of all) {
    out.push('');
    out.push(`== ${res.runtime.label}${res.error ? `: unavailable: ${res.error}` : ''}`);
    if (res.error) continue;
    const ids = Object.keys(res.scenarios);
    for (const id of ids) {
      const e = res.scenarios[id];
      out.push(`${pad(`${e.title} [${e.unit}${e.higher_is_better ? '' : ', lower is better'}]`, 56)}`);
      for (const impl of IMPLS) {
        const label = (res.runtime.id === 'bun' || res.runtime.id === 'deno') && impl === 'net' ? 'node:net' : IMPL_LABEL[impl];
        out.push(`    ${pad(label, 9)}${cell(e.impls[impl], e)}`);
      }
      const r = e.ratios;
      const v = verdict(id, e, res.runtime.id);
      out.push(`    ${pad('ratios', 9)}cnet/net ${fmt(r.cnet_net)}  cnet/C ${fmt(r.cnet_c)}  net/C ${fmt(r.net_c)}${v ? `   target ${v}` : ''}`);
    }
  }
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
}

function writeResults(res) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${res.runtime.id}.json`);
  // keep scenarios measured by earlier runs that this run did not repeat
  let prev = null;
  try {
    prev = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (_) { /* first run */ }
  if (prev && prev.scenarios && !res.error) {
    for (const [id, e] of Object.entries(prev.scenarios)) {
      if (!res.scenarios[id]) res.scenarios[id] = { ...e, from_earlier_run: true };
    }
  }
  fs.writeFileSync(file, `${JSON.stringify(res, null, 1)}\n`);
  return file;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args.results === 'string') RESULTS = path.resolve(args.results);
  const t0 = Date.now();
  const cfg = config(args);
  const b = build({ quiet: true });
  if (!b.ok) log(`bench: C programs unavailable: ${b.error}`);
  const ctx = {
    cfg,
    build: b,
    valgrind: which('valgrind'),
    callgrindControl: which('callgrind_control'),
    tmpDir: fs.mkdtempSync(path.join(os.tmpdir(), 'cnet-bench-')),
    uvHeaders: null,
  };
  try {
    const uvv = fs.readFileSync(path.join(path.dirname(process.execPath), '..', 'include', 'node', 'uv', 'version.h'), 'utf8');
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => new RegExp(`UV_VERSION_${k}\\s+(\\d+)`).exec(uvv)[1]);
    ctx.uvHeaders = v.join('.');
  } catch (_) { /* unknown */ }

  const ids = args.runtimes ? String(args.runtimes).split(',') : [systemNode().id, 'node24', 'bun', 'deno'];
  const known = [systemNode().id, 'node', 'node24', 'bun', 'deno'];
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length) {
    log(`bench: unknown runtime ${unknown.join(', ')} (known: ${known.join(', ')})`);
    process.exit(2);
  }
  const wantedScen = args.scenarios ? String(args.scenarios).split(',') : [];
  const badScen = wantedScen.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (badScen.length) {
    log(`bench: unknown scenario ${badScen.join(', ')} (known: ${SCENARIOS.map((s) => s.id).join(', ')})`);
    process.exit(2);
  }
  const runtimes = resolveRuntimes(ids, { install: !args['no-install'], log });
  ctx.machine = machineInfo(ctx, runtimes);
  const scenariosFor = plan(args, cfg, runtimes);
  const estimate = runtimes.filter((rt) => !rt.error)
    .reduce((t, rt) => t + PROBE_SECONDS + scenariosFor(rt).reduce((u, sc) => u + scenarioEstimate(sc, cfg), 0), 0);
  const counted = runtimes.some((rt) => !rt.error && scenariosFor(rt).some((sc) => sc.instructions));
  log(`bench: ${cfg.profile} profile: ${cfg.rounds} rounds of ${cfg.duration} s${counted ? ', instructions under callgrind' : ''}; about ${Math.ceil(estimate / 60)} min`);
  const progress = new Progress(estimate);
  const all = [];
  for (const rt of runtimes) {
    if (rt.error) {
      progress.note(`[${rt.id}] unavailable: ${rt.error}`);
      const res = { runtime: { id: rt.id, label: rt.label }, error: rt.error, machine: ctx.machine,
        started: new Date().toISOString(), scenarios: {} };
      all.push(res);
      writeResults(res);
      continue;
    }
    const res = await runRuntime(ctx, rt, scenariosFor(rt), progress);
    all.push(res);
    writeResults({ ...res, scenarios: { ...res.scenarios } });
  }
  printTable(all);
  if (!args['no-chart']) {
    const svg = writeChart(RESULTS);
    writeMarkdown(RESULTS);
    const shown = (f) => path.relative(process.cwd(), path.join(RESULTS, f));
    log(`bench: wrote ${shown(path.basename(svg))}, ${shown('summary.md')} and ${all.filter((r) => !r.error).map((r) => shown(`${r.runtime.id}.json`)).join(', ')}`);
  }
  fs.rmSync(ctx.tmpDir, { recursive: true, force: true });
  log(`bench: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
