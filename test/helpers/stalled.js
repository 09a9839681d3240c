'use strict';
// A loopback port where connects stall (used by the faults and autoSelectFamily tests).
const path = require('path');
const { spawn } = require('child_process');
const { once, delay } = require('./modules');

const fixtures = path.join(__dirname, '..', 'fixtures', 'faults');

// A connect the kernel never completes, on loopback: a child process listens with a
// backlog of 1 and blocks its loop, so it never accepts; once its accept queue is full
// the kernel drops further SYNs and connects to it stay in SYN-SENT (checked on this
// machine: the third connect stalls). Resolves with the port and a cleanup function.
async function stalledListener(net) {
  // Node runs the listener even under Bun, whose listen() does not keep a backlog of 1.
  const runtime = process.versions.bun ? 'node' : process.execPath;
  const child = spawn(runtime, [path.join(fixtures, 'never-accept.js'), '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      if (text.includes('\n')) resolve(Number(text));
    });
    child.on('exit', () => reject(new Error('never-accept.js exited early')));
  });
  const fillers = [];
  // Fill the queue: connect until one does not complete within 200 ms.
  for (let i = 0; i < 20; i++) {
    const filler = net.connect(port, '127.0.0.1');
    filler.on('error', () => {});
    fillers.push(filler);
    const connected = await Promise.race([once(filler, 'connect').then(() => true), delay(200).then(() => false)]);
    if (!connected) break;
  }
  return {
    port,
    fillers: fillers.length,
    cleanup() {
      for (const filler of fillers) filler.destroy();
      child.kill('SIGKILL');
    },
  };
}

module.exports = { stalledListener };
