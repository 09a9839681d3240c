'use strict';
// Deprecated members of built-in net that code still calls.

let simultaneousAcceptsWarned = false;

// A no-op outside Windows (where it tuned libuv's accept), warning once as built-in net does (DEP0121).
function setSimultaneousAccepts() {
  if (simultaneousAcceptsWarned) return;
  simultaneousAcceptsWarned = true;
  process.emitWarning('net._setSimultaneousAccepts() is deprecated and will be removed.', 'DeprecationWarning', 'DEP0121');
}

// Node 24 removed it; cnet has it where the running built-in net still does.
function builtinHasSimultaneousAccepts() {
  return typeof require('node:net')._setSimultaneousAccepts === 'function';
}

module.exports = { setSimultaneousAccepts, builtinHasSimultaneousAccepts };
