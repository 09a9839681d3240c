'use strict';
// Servers and sockets sent to child processes (subprocess.send(message,
// handle), with and without keepOpen), an accepted socket as a spawned
// process's stdio, and cluster.disconnect() closing a worker's server. Each
// scenario (test/fixtures/ipc/send.js) runs once on built-in net and once with
// -r register.js, where the child receives cnet objects; what both sides
// observe must match.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { runJsonFixture } = require('./helpers/child-args');

const root = path.join(__dirname, '..');
const fixture = path.join(__dirname, 'fixtures', 'ipc', 'send.js');
const register = ['-r', path.join(root, 'register.js')];

// Node's IPC passes handles with SCM_RIGHTS; Bun passes only its own servers
// and Deno none, and neither has the message protocol cnet plugs into.
const noHandlePassing = (process.versions.bun || process.versions.deno)
  && 'only Node\'s child_process passes net handles over IPC (Bun: its own servers only; Deno: none)';

const scenarios = {
  server: 'a listening server sent to a child: the child accepts every connection once the parent closes its own',
  socket: 'accepted sockets sent to a child: the child serves them, the parent\'s server counts them through the child',
  'socket-keep-open': 'sockets sent with keepOpen: both processes write, the count includes both',
  'spawn-stdio': 'an accepted socket as a spawned process\'s stdout receives what it writes',
  'cluster-disconnect': 'cluster.disconnect() closes the worker\'s server and the worker exits',
};

for (const [scenario, title] of Object.entries(scenarios)) {
  const skip = scenario.startsWith('spawn') || scenario.startsWith('cluster') ? false : noHandlePassing;
  test(`${title}, as on built-in net`, { timeout: 60000, skip }, async () => {
    const [onNet, onCnet] = await Promise.all([
      runJsonFixture([], fixture, [scenario], root),
      runJsonFixture(register, fixture, [scenario], root),
    ]);
    assert.deepStrictEqual(onCnet, onNet);
  });
}

test('a cnet server and cnet sockets sent to a child that uses built-in net work there as built-in ones',
  { timeout: 60000, skip: noHandlePassing }, async () => {
    for (const scenario of ['server', 'socket']) {
      const onNet = await runJsonFixture([], fixture, [scenario], root);
      process.env.IPC_PARENT_NET = 'cnet';
      try {
        assert.deepStrictEqual(await runJsonFixture([], fixture, [scenario], root), onNet);
      } finally {
        delete process.env.IPC_PARENT_NET;
      }
    }
  });
