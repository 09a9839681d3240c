'use strict';
// The arguments for a child of the runtime under test, given Node's spelling.
// A Deno child given Node's preload flags drops them: Deno spells -r as
// --require and --import as --preload, after `run -A`.
function childArgs(runtimeArgs) {
  if (!process.versions.deno) return runtimeArgs;
  const flags = { '-r': '--require', '--import': '--preload' };
  return ['run', '-A', ...runtimeArgs.map((arg) => flags[arg] || arg)];
}

module.exports = { childArgs };
