'use strict';
// mysql2 and node-redis (from npm) over cnet: their keep-alive settings must
// leave the kernel with the same timers on cnet as on built-in net. mysql2
// calls setKeepAlive(true, keepAliveInitialDelay) once connected (0 by default,
// which keeps the system's idle time); node-redis passes keepAlive and
// keepAliveInitialDelay to net.createConnection(). Each run is a child of the
// runtime under test, with or without cnet/register.
const test = require('node:test');
const path = require('path');
const { sameOnBoth } = require('./helpers/modules');
const { runJsonFixture } = require('./helpers/child-args');

const root = path.join(__dirname, '..');
const fixture = path.join(__dirname, 'fixtures', 'keepalive', 'db-clients.js');

const cases = [
  ['mysql2', 'by default (setKeepAlive(true, 0) on connect)', []],
  ['mysql2', 'with keepAliveInitialDelay 30000', ['30000']],
  ['redis', 'by default (keepAlive options of createConnection)', []],
  ['redis', 'with keepAliveInitialDelay 12000', ['12000']],
];

for (const [client, how, delay] of cases) {
  test(`${client} ${how}: the same keep-alive timers as over built-in net`, async () => {
    await sameOnBoth(async (net, label) => {
      const runtimeArgs = label === 'cnet' ? ['-r', path.join(root, 'register.js')] : [];
      const { cnet: overCnet, ...seen } = await runJsonFixture(runtimeArgs, fixture, [client, ...delay], root);
      if (overCnet !== (label === 'cnet')) throw new Error(`${client}'s socket was not ${label}'s`);
      return seen;
    });
  });
}
