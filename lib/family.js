'use strict';
// Address-family defaults: autoSelectFamily ("happy eyeballs") settings and dns family names.
const args = require('./args');
const { networkFamilyAutoselection } = require('./cli-options');

// The running runtime's defaults: on Node, its own or those its command line
// sets; on Bun and Deno, whatever their node:net starts with (500 ms; Bun
// reads the same flags, Deno ignores them), since their users expect those.
function initialDefaults() {
  if (process.versions.bun || process.versions.deno) {
    const builtin = require('node:net');
    return { enabled: builtin.getDefaultAutoSelectFamily(), attemptTimeout: builtin.getDefaultAutoSelectFamilyAttemptTimeout() };
  }
  const fromCommandLine = networkFamilyAutoselection();
  return { enabled: fromCommandLine.enabled ?? true, attemptTimeout: fromCommandLine.attemptTimeout ?? 250 };
}

const initial = initialDefaults();
let defaultAutoSelectFamily = initial.enabled;
let defaultAttemptTimeout = initial.attemptTimeout;

function getDefaultAutoSelectFamily() {
  return defaultAutoSelectFamily;
}

function setDefaultAutoSelectFamily(value) {
  if (typeof value !== 'boolean') {
    throw require('./errors').invalidArgType('value', 'boolean', value);
  }
  defaultAutoSelectFamily = value;
}

function getDefaultAutoSelectFamilyAttemptTimeout() {
  return defaultAttemptTimeout;
}

function setDefaultAutoSelectFamilyAttemptTimeout(value) {
  args.validateInt32(value, 'value', 1, 2 ** 31 - 1);
  defaultAttemptTimeout = value < 10 ? 10 : value;
}

// connect()'s family as dns.lookup() takes it; anything else passes through unchanged, as with net.
function toDnsFamily(family) {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family;
}

// connect options, already validated by args.validateConnectOptions.
function autoSelectFamily(options) {
  return options.autoSelectFamily != null ? options.autoSelectFamily : defaultAutoSelectFamily;
}

function attemptTimeout(options) {
  const timeout = options.autoSelectFamilyAttemptTimeout;
  if (timeout == null) return defaultAttemptTimeout;
  return timeout < 10 ? 10 : timeout;
}

// The order of happy-eyeballs attempts: valid IPv4/IPv6 entries once each,
// alternating families, starting with the family of the first one.
function attemptOrder(addresses) {
  const groups = [[], []];
  let firstFamily = 0;
  for (const entry of addresses) {
    const { address, family } = entry;
    if ((family !== 4 && family !== 6) || args.ipFamily(address) === 0) continue;
    firstFamily ||= family;
    const group = groups[family === firstFamily ? 0 : 1];
    if (!group.some((seen) => seen.address === address)) group.push(entry);
  }
  const ordered = [];
  for (let i = 0; i < Math.max(groups[0].length, groups[1].length); i++) {
    if (i < groups[0].length) ordered.push(groups[0][i]);
    if (i < groups[1].length) ordered.push(groups[1][i]);
  }
  return ordered;
}

module.exports = {
  getDefaultAutoSelectFamily,
  setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamilyAttemptTimeout,
  toDnsFamily,
  autoSelectFamily,
  attemptTimeout,
  attemptOrder,
};
