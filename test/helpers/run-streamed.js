'use strict';
// Runs a test command in its own process group, copies its output to ours as
// it comes (so a CI log shows where a run stopped), keeps the text for the
// caller to count results in, and kills the whole group once `limitMs` has
// passed, so that one hung run cannot hold the rest past CI's time budget.
const { spawn } = require('child_process');

function runStreamed(bin, args, { cwd, env, limitMs }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let timedOut = false;
    let child;
    try {
      child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      resolve({ status: null, out: String(err && err.message), timedOut, seconds: 0 });
      return;
    }
    const copy = (stream, sink) => stream.on('data', (chunk) => {
      chunks.push(chunk);
      sink.write(chunk);
    });
    copy(child.stdout, process.stdout);
    copy(child.stderr, process.stderr);
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group has already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      process.stdout.write(`\n!!! ${bin} ${args[0]}: still running after ${limitMs / 60000} min, killed\n`);
      killGroup();
    }, limitMs);
    child.on('error', (err) => chunks.push(Buffer.from(`\n${err.message}\n`)));
    child.on('close', (status) => {
      clearTimeout(timer);
      // Whatever the command left behind in its group (a server a test forgot) goes too.
      killGroup();
      resolve({ status, out: Buffer.concat(chunks).toString('utf8'), timedOut, seconds: (Date.now() - started) / 1000 });
    });
  });
}

module.exports = { runStreamed };
