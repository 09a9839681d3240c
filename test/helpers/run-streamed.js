'use strict';
// Runs a test command in its own process group, copies its output to ours as
// it comes (so a CI log shows where a run stopped), keeps the text for the
// caller to count results in, and kills the whole group once `limitMs` has
// passed (CNET_RUN_LIMIT_MIN minutes, 20 by default), so that one hung run
// cannot hold the rest past CI's time budget.
const { spawn } = require('child_process');

const defaultLimitMs = Number(process.env.CNET_RUN_LIMIT_MIN || 20) * 60000;

function runStreamed(bin, args, { cwd, env, limitMs = defaultLimitMs }) {
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
      setTimeout(() => finish(null), 10000).unref();
    }, limitMs);
    let finished = false;
    const finish = (status) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      // Whatever the command left behind in its group (a server a test forgot) goes too.
      killGroup();
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ status, out: Buffer.concat(chunks).toString('utf8'), timedOut, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (err) => chunks.push(Buffer.from(`\n${err.message}\n`)));
    child.on('close', (status) => finish(status));
    // A process that left the group (its own session) can hold our pipes open
    // after the command has exited: stop waiting for them 10 s after the exit.
    child.on('exit', (status) => {
      setTimeout(() => {
        if (!finished) process.stdout.write(`\n!!! ${bin} ${args[0]} exited, but something it started still holds its output; not waiting\n`);
        finish(status);
      }, 10000).unref();
    });
  });
}

module.exports = { runStreamed };
