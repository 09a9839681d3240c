'use strict';
// undici (from npm) over cnet: its connector turns on keep-alive (60 s unless
// told otherwise) and TCP_NODELAY right after net.connect(), before the
// connection is up; the kernel must end with the same timers as over built-in
// net. Each run is a child of the runtime under test, with or without cnet/register.
const test = require('node:test');
const path = require('path');
const { sameOnBoth } = require('./helpers/modules');
const { runJsonFixture } = require('./helpers/child-args');

const root = path.join(__dirname, '..');
const fixture = path.join(__dirname, 'fixtures', 'undici', 'keepalive.js');

function runFixture(runtimeArgs, fixtureArgs) {
  return runJsonFixture(runtimeArgs, fixture, fixtureArgs, root);
}

for (const [name, fixtureArgs] of [['by default (60 s)', []], ['with keepAliveInitialDelay 30000', ['30000']], ['with keepAliveInitialDelay 0', ['0']]]) {
  test(`undici's connector ${name}: the same keep-alive timers and TCP_NODELAY as over built-in net`, async () => {
    await sameOnBoth(async (net, label) => {
      const { cnet: overCnet, ...seen } = await runFixture(label === 'cnet' ? ['-r', path.join(root, 'register.js')] : [], fixtureArgs);
      if (overCnet !== (label === 'cnet')) throw new Error(`undici's socket was not ${label}'s`);
      return seen;
    });
  });
}
