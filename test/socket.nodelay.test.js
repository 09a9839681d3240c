'use strict';
// TCP_NODELAY as the kernel holds it. cnet follows the running runtime's own
// net: on Node, Nagle stays on unless noDelay/setNoDelay turn it off; on Bun,
// whose node:net turns TCP_NODELAY on for every socket, cnet does the same, so
// swapping modules keeps the runtime's latency behaviour.
const test = require('node:test');
const assert = require('assert');
const { builtin, cnet, sameOnBoth } = require('./helpers/modules');
const { kernelOptions, connectedPair } = require('./helpers/sockopt');

// On Node, built-in net as recorded or run next to cnet; on Bun, Bun's own node:net.
async function sameAsRuntimeNet(scenario) {
  if (!process.versions.bun) {
    await sameOnBoth(scenario);
    return;
  }
  assert.deepStrictEqual(await scenario(cnet), await scenario(builtin));
}

const noDelayOfBoth = (client, serverSocket) => ({
  client: kernelOptions(client).noDelay,
  accepted: kernelOptions(serverSocket).noDelay,
});

const scenarios = {
  'no option': {},
  'noDelay: true on both ends': { serverOptions: { noDelay: true }, connectOptions: { noDelay: true } },
  'noDelay: false on both ends': { serverOptions: { noDelay: false }, connectOptions: { noDelay: false } },
  'setNoDelay(false) once connected': { connected: (client) => client.setNoDelay(false) },
  'setNoDelay(true) then setNoDelay(false) once connected': {
    connected: (client) => client.setNoDelay(true).setNoDelay(false),
  },
  'setNoDelay() while connecting': { beforeConnect: (client) => client.setNoDelay() },
  'setNoDelay(true) then setNoDelay(false) while connecting': {
    beforeConnect: (client) => client.setNoDelay(true).setNoDelay(false),
  },
};

for (const [name, hooks] of Object.entries(scenarios)) {
  test(`TCP_NODELAY with ${name}: as the runtime's own net`, async () => {
    await sameAsRuntimeNet((net) => connectedPair(net, { ...hooks, observe: noDelayOfBoth }));
  });
}
