'use strict';
const path = require('path');
const { spawn } = require('child_process');

// The arguments for a child of the runtime under test, given Node's spelling.
// A Deno child given Node's preload flags drops them: Deno spells -r as
// --require and --import as --preload, after `run -A`.
function childArgs(runtimeArgs) {
  if (!process.versions.deno) return runtimeArgs;
  const flags = { '-r': '--require', '--import': '--preload' };
  return ['run', '-A', ...runtimeArgs.map((arg) => flags[arg] || arg)];
}

// Runs a fixture as a child of the runtime under test (Node's flags in
// runtimeArgs) and resolves with the JSON of its last line of output.
function runJsonFixture(runtimeArgs, fixturePath, fixtureArgs = [], cwd = undefined) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...childArgs(runtimeArgs), fixturePath, ...fixtureArgs], {
      cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${path.basename(fixturePath)} exited (${code}, ${signal}); stdout: ${stdout} stderr: ${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

module.exports = { childArgs, runJsonFixture };
