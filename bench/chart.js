'use strict';
// Writes bench/results/summary.svg from bench/results/*.json: bars of ratios
// per scenario and runtime, three panels (cnet vs net, cnet vs C limit,
// net vs C limit). Ratios are oriented so that above 1 means the first named
// is better: for lower-is-better metrics (memory, instructions) the chart
// shows the inverse of the table's cnet/net. Plain SVG, no dependencies.
//
//   node bench/chart.js     regenerate from the JSON files

const fs = require('fs');
const path = require('path');
const { verdict } = require('./lib/targets');

const ORDER = ['echo1', 'echo100', 'pipeline', 'bulk-recv', 'bulk-send', 'churn', 'cluster-churn', 'reuseport-churn', 'idle', 'client', 'http', 'tls-bulk', 'tls-rr',
  'instr', 'instr1'];
const SHORT = {
  echo1: 'echo 1 conn', echo100: 'echo 100 conns', pipeline: 'pipelined', 'bulk-recv': 'bulk receive', 'bulk-send': 'bulk send',
  churn: 'churn', 'cluster-churn': 'cluster churn', 'reuseport-churn': 'reusePort churn', idle: 'idle memory', client: 'client 100', http: 'HTTP keep-alive', 'tls-bulk': 'TLS bulk', 'tls-rr': 'TLS req/resp', instr: 'instr 100 conns', instr1: 'instr 1 conn',
};
const COLORS = ['#3b6ea8', '#d9822b', '#4c9a52', '#8e5ea2', '#b5453a'];

// Which run profile measured a row (results from before profiles existed
// were either --quick or the long run).
function profileOf(cfg) {
  return cfg.profile || (cfg.quick ? 'quick' : 'full');
}

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function loadResults(dir) {
  const out = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (r && r.runtime && r.scenarios) out.push(r);
    } catch (_) { /* skip broken file */ }
  }
  // system node first, then other node versions, then bun, then deno
  const rank = (r) => ({ bun: 2, deno: 3 }[r.runtime.id] ?? ((r.runtime.label || '').includes('system') ? 0 : 1));
  return out.sort((a, b) => rank(a) - rank(b) || a.runtime.id.localeCompare(b.runtime.id));
}

function oriented(entry, key) {
  const v = entry && entry.ratios ? entry.ratios[key] : null;
  if (v == null || !Number.isFinite(v) || v <= 0) return null;
  return entry.higher_is_better === false ? 1 / v : v;
}

function render(allResults) {
  const results = allResults.filter((r) => !r.error);
  const scen = ORDER.filter((id) => results.some((r) => r.scenarios[id]));
  const panels = [
    { key: 'cnet_net', title: 'cnet vs built-in net (Bun, Deno: vs their node:net)' },
    { key: 'cnet_c', title: 'cnet vs pure-C libuv limit' },
    { key: 'net_c', title: 'built-in net vs pure-C libuv limit' },
  ];
  const nR = Math.max(1, results.length);
  const barW = 16;
  const groupW = Math.max(96, nR * barW + 30);
  const left = 60;
  const plotW = Math.max(420, scen.length * groupW);
  const width = left + plotW + 30;
  const panelH = 190;
  const top = 70;
  const height = top + panels.length * (panelH + 60) + 20;
  const s = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  s.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  s.push(`<text x="${left}" y="20" font-size="15" font-weight="bold">cnet benchmark: ratios of medians (above 1 = first named is better)</text>`);
  const machine = results[0] && results[0].machine;
  if (machine) s.push(`<text x="${left}" y="37" fill="#555">${esc(`${machine.cpu}, ${machine.cores} cores, ${machine.kernel}`)}; memory and instructions shown inverted</text>`);
  let lx = left;
  results.forEach((r, i) => {
    const label = `${r.runtime.id}${r.runtime.version ? ` (${r.runtime.version})` : ''}`;
    s.push(`<rect x="${lx}" y="47" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
    s.push(`<text x="${lx + 16}" y="57">${esc(label)}</text>`);
    lx += 16 + label.length * 6.5 + 18;
  });
  panels.forEach((p, pi) => {
    const y0 = top + pi * (panelH + 60) + 20;
    const vals = [];
    for (const id of scen) for (const r of results) {
      const v = oriented(r.scenarios[id], p.key);
      if (v != null) vals.push(v);
    }
    const max = Math.max(2, Math.ceil(Math.max(0, ...vals) * 2) / 2);
    const yOf = (v) => y0 + panelH - (Math.min(v, max) / max) * panelH;
    s.push(`<text x="${left}" y="${y0 - 6}" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
    for (let t = 0; t <= max + 1e-9; t += max > 4 ? 1 : 0.5) {
      const y = yOf(t);
      s.push(`<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="${t === 1 ? '#c00' : '#e4e4e4'}" stroke-width="${t === 1 ? 1.5 : 1}"${t === 1 ? ' stroke-dasharray="5,3"' : ''}/>`);
      s.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#555">${t.toFixed(1)}x</text>`);
    }
    scen.forEach((id, gi) => {
      const gx = left + gi * groupW + (groupW - nR * barW) / 2;
      results.forEach((r, ri) => {
        const x = gx + ri * barW;
        const v = oriented(r.scenarios[id], p.key);
        if (v == null) {
          if (r.scenarios[id]) s.push(`<text x="${x + barW / 2}" y="${y0 + panelH - 4}" text-anchor="middle" fill="#999" font-size="9" transform="rotate(-90 ${x + barW / 2} ${y0 + panelH - 4})">n/a</text>`);
          return;
        }
        const y = yOf(v);
        s.push(`<rect x="${x + 1}" y="${y}" width="${barW - 2}" height="${y0 + panelH - y}" fill="${COLORS[ri % COLORS.length]}"><title>${esc(`${r.runtime.id} ${id}: ${v.toFixed(3)}`)}</title></rect>`);
        s.push(`<text x="${x + barW / 2}" y="${y - 3}" text-anchor="middle" font-size="8">${v.toFixed(2)}</text>`);
      });
      s.push(`<text x="${gx + (nR * barW) / 2}" y="${y0 + panelH + 14}" text-anchor="middle">${esc(SHORT[id] || id)}</text>`);
    });
    s.push(`<line x1="${left}" x2="${left + plotW}" y1="${y0 + panelH}" y2="${y0 + panelH}" stroke="#333"/>`);
  });
  s.push('</svg>');
  return `${s.join('\n')}\n`;
}

function writeChart(dir) {
  const file = path.join(dir, 'summary.svg');
  fs.writeFileSync(file, render(loadResults(dir)));
  return file;
}

function num(x) {
  if (x == null || !Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  if (a >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

function mdCell(row, unitCpu) {
  if (!row) return '-';
  if (row.status === 'unavailable') return `unavailable: ${String(row.reason || '').replace(/\|/g, '/').slice(0, 120)}`;
  if (!row.summary) return `failed: ${String(row.reason || '').replace(/\|/g, '/').slice(0, 120)}`;
  const s = row.summary;
  let t = `${num(s.median)} (${num(s.min)}-${num(s.max)})`;
  if (row.p99_us && row.p99_us.median != null) t += `, p99 ${num(row.p99_us.median)} us`;
  if (row.server_cpu_us_per_unit && unitCpu) t += `, cpu ${num(row.server_cpu_us_per_unit.median)} us/${unitCpu}`;
  if (row.heap_per_conn && row.heap_per_conn.median != null) t += `, heap ${num(row.heap_per_conn.median)} B/conn`;
  if (row.gen_busy && row.gen_busy.median != null) t += `, gen ${Math.round(100 * row.gen_busy.median)}%`;
  return t;
}

// Markdown tables of the latest results, ready to paste into the README.
function renderMarkdown(results) {
  const out = [];
  const m = results[0] && results[0].machine;
  out.push('<!-- generated by bench/chart.js from bench/results/*.json -->');
  if (m) out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, ${m.kernel}.`);
  out.push('Medians of interleaved rounds (net, cnet, C, net, ...), spread min-max in parentheses; ratios are of medians. ' +
    'cpu: server CPU time per unit; gen: load generator busy as % of one core (near 100%: the row is bound by the generator, not the server).');
  for (const r of results) {
    out.push('');
    const when = Object.values(r.scenarios).map((e) => e.measured_at).filter(Boolean).sort().pop();
    const profile = r.config ? profileOf(r.config) : null;
    const head = [when ? `${when.slice(0, 16).replace('T', ' ')} UTC` : null, profile ? `${profile} profile` : null].filter(Boolean);
    out.push(`### ${r.runtime.label || r.runtime.id}${head.length ? ` (${head.join(', ')})` : ''}`);
    out.push('');
    if (r.error) {
      out.push(`unavailable: ${r.error}`);
      continue;
    }
    const netName = { bun: "Bun's node:net", deno: "Deno's node:net" }[r.runtime.id] || 'built-in net';
    out.push(`| scenario | unit | ${netName} | cnet | C limit | cnet/net | cnet/C | net/C | target |`);
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const id of ORDER) {
      const e = r.scenarios[id];
      if (!e) continue;
      const unit = `${e.unit}${e.higher_is_better === false ? ' (lower is better)' : ''}`;
      const cfg = e.config || {};
      const rowProfile = profileOf(cfg);
      const tags = [rowProfile !== profile ? rowProfile : null, e.from_earlier_run ? 'earlier run' : null].filter(Boolean);
      const tag = tags.length ? ` (${tags.join(', ')})` : '';
      out.push(`| ${e.title}${tag} | ${unit} | ${mdCell(e.impls.net, e.cpu_unit)} | ${mdCell(e.impls.cnet, e.cpu_unit)} | ` +
        `${mdCell(e.impls.c, e.cpu_unit)} | ${num(e.ratios.cnet_net)} | ${num(e.ratios.cnet_c)} | ${num(e.ratios.net_c)} | ${verdict(id, e, r.runtime.id) || '-'} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

function writeMarkdown(dir) {
  const file = path.join(dir, 'summary.md');
  fs.writeFileSync(file, renderMarkdown(loadResults(dir)));
  return file;
}

module.exports = { writeChart, render, writeMarkdown, renderMarkdown };

if (require.main === module) {
  const dir = path.join(__dirname, 'results');
  console.log(writeChart(dir));
  console.log(writeMarkdown(dir));
}
