'use strict';
// Defaults built-in net takes from Node's command line. Node reads NODE_OPTIONS
// first and then the options before the script (process.execArgv), the last one
// given winning; a name may be spelt with '_' for '-', and a value may follow
// '=' or come as the next argument.

// NODE_OPTIONS as Node splits it: on spaces, with "double quotes" grouping and
// a backslash escaping the next character inside them.
function splitNodeOptions(text) {
  const out = [];
  let current = '';
  let started = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      started = true;
    } else if (c === ' ' && !quoted) {
      if (started) out.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

function nodeCommandLine() {
  const fromEnv = process.env.NODE_OPTIONS ? splitNodeOptions(process.env.NODE_OPTIONS) : [];
  return [...fromEnv, ...process.execArgv];
}

function splitOption(arg) {
  const eq = arg.indexOf('=');
  const name = eq === -1 ? arg : arg.slice(0, eq);
  return { name: name.startsWith('--') ? `--${name.slice(2).replace(/_/g, '-')}` : name, value: eq === -1 ? undefined : arg.slice(eq + 1) };
}

// --[no-]network-family-autoselection (alias --enable-network-family-autoselection)
// and --network-family-autoselection-attempt-timeout; undefined where not given.
function networkFamilyAutoselection(argv = nodeCommandLine()) {
  let enabled;
  let attemptTimeout;
  for (let i = 0; i < argv.length; i++) {
    const { name, value } = splitOption(argv[i]);
    if (name === '--network-family-autoselection' || name === '--enable-network-family-autoselection') {
      enabled = true;
    } else if (name === '--no-network-family-autoselection') {
      enabled = false;
    } else if (name === '--network-family-autoselection-attempt-timeout') {
      const text = value !== undefined ? value : argv[++i];
      const ms = Number(text);
      if (Number.isFinite(ms)) attemptTimeout = ms;
    }
  }
  return { enabled, attemptTimeout };
}

module.exports = { networkFamilyAutoselection, splitNodeOptions };
