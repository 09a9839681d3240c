'use strict';

// The goals each scenario is measured against, per runtime kind, with the
// issue that set them. A goal names a ratio of medians (cnet/net or cnet/C)
// and its bound; `p99NotWorse` compares cnet's p99 latency with net's.
const { ratio } = require('./stats');

const AT_LEAST_NET = { cnetNet: 1.0 };

const TARGETS = {
  echo1: { node: { cnetNet: 1.2, p99NotWorse: true }, bun: AT_LEAST_NET },
  echo100: { node: { cnetC: 0.85 }, bun: AT_LEAST_NET, deno: AT_LEAST_NET },
  pipeline: { node: { cnetNet: 2.0 }, bun: { cnetNet: 2.0 } },
  'bulk-recv': { node: { cnetNet: 1.0, cnetC: 0.9 }, bun: AT_LEAST_NET },
  'bulk-send': { node: { cnetNet: 1.0, cnetC: 0.9 }, bun: AT_LEAST_NET },
  churn: { node: { cnetNet: 1.5 }, bun: AT_LEAST_NET },
  'cluster-churn': { node: AT_LEAST_NET },
  'reuseport-churn': { node: AT_LEAST_NET },
  idle: { node: { cnetNet: 0.5, lower: true }, bun: { cnetNet: 0.5, lower: true } },
  client: { node: { cnetNet: 1.5 } },
  'tls-bulk': { node: AT_LEAST_NET, bun: AT_LEAST_NET, deno: AT_LEAST_NET },
  'tls-rr': { node: AT_LEAST_NET, bun: AT_LEAST_NET, deno: AT_LEAST_NET },
  http: { node: { cnetNet: 1.5 } },
  instr: { node: { cnetNet: 0.25, lower: true } },
};

function kindOf(runtimeId) {
  return runtimeId === 'bun' || runtimeId === 'deno' ? runtimeId : 'node';
}

// "cnet/net >= 1.2, p99 cnet/net <= 1: met", or '' when the scenario has no
// goal on this runtime.
function verdict(id, entry, runtimeId) {
  const kind = kindOf(runtimeId);
  const goal = (TARGETS[id] || {})[kind];
  if (!goal || !entry.ratios) return '';
  const netName = kind === 'node' ? 'net' : 'node:net';
  const parts = [];
  let met = true;
  let known = true;
  const check = (name, val, bound, lower) => {
    parts.push(`${name} ${lower ? '<=' : '>='} ${bound}`);
    if (val == null) known = false;
    else if (lower ? val > bound : val < bound) met = false;
  };
  if (goal.cnetNet != null) check(`cnet/${netName}`, entry.ratios.cnet_net, goal.cnetNet, !!goal.lower);
  if (goal.cnetC != null) check('cnet/C', entry.ratios.cnet_c, goal.cnetC, false);
  if (goal.p99NotWorse) {
    const p99 = (impl) => {
      const row = entry.impls[impl];
      return row && row.p99_us ? row.p99_us.median : null;
    };
    check(`p99 cnet/${netName}`, ratio(p99('cnet'), p99('net')), 1, true);
  }
  return `${parts.join(', ')}: ${known ? (met ? 'met' : 'not met') : 'n/a'}`;
}

module.exports = { TARGETS, verdict };
