'use strict';
// autoSelectFamily ("happy eyeballs"): attempt order, per-attempt timeout, the
// connectionAttempt* events, the error when every attempt fails, option
// validation, and the options a lookup function is given; compared with built-in net.
const test = require('node:test');
const dns = require('dns');
const {
  sameOnBoth, record, listen, close, errorShape,
} = require('./helpers/modules');
const { stalledListener } = require('./helpers/stalled');

const EVENTS = ['lookup', 'connectionAttempt', 'connectionAttemptFailed', 'connectionAttemptTimeout',
  'connect', 'close', 'error'];

// A lookup answering with `addresses` on a later turn, as a resolver would.
function answering(addresses) {
  return (host, options, cb) => setImmediate(cb, null, addresses);
}

// A port that was just free on 127.0.0.1: connecting to it is refused.
async function closedPort(net) {
  const server = net.createServer();
  const { port } = await listen(server, 0, '127.0.0.1');
  await close(server);
  return port;
}

// Connects with `options`; resolves with the events (port shown as PORT), the
// attempted addresses and the error once the socket has closed.
function attempt(net, options) {
  return new Promise((resolve) => {
    const log = [];
    let error = null;
    const client = net.connect({ host: 'eyeballs.test', autoSelectFamily: true, ...options });
    record(log, 'client', client, EVENTS);
    client.on('error', (err) => { error = err; });
    client.on('connect', () => client.end());
    client.resume();
    client.on('close', () => {
      const port = String(options.port);
      resolve({
        log: log.map((e) => e.split(port).join('PORT')),
        attempted: (client.autoSelectFamilyAttemptedAddresses || []).map((a) => a.replace(port, 'PORT')),
        error: error && {
          name: error.name,
          code: error.code,
          errors: (error.errors || []).map((e) => `${e.code} ${e.message.split(port).join('PORT')}`),
        },
      });
    });
  });
}

test('a refused first address is followed by the next family, which connects', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.end());
    const { port } = await listen(server, 0, '127.0.0.1');
    const seen = await attempt(net, {
      port,
      lookup: answering([{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]),
    });
    await close(server);
    return seen;
  });
});

test('addresses are tried once each, alternating families from the first one\'s', async () => {
  await sameOnBoth(async (net) => {
    const port = await closedPort(net);
    return attempt(net, {
      port,
      lookup: answering([
        { address: '127.0.0.2', family: 4 }, { address: '127.0.0.3', family: 4 },
        { address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 },
        { address: 'not-an-ip', family: 4 },
      ]),
    });
  });
});

test('every attempt refused: AggregateError holding each attempt\'s error', async () => {
  await sameOnBoth(async (net) => {
    const port = await closedPort(net);
    return attempt(net, {
      port,
      lookup: answering([{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]),
    });
  });
});

test('a single address found connects without the multi-attempt path', async () => {
  await sameOnBoth(async (net) => {
    const port = await closedPort(net);
    return attempt(net, {
      port,
      lookup: answering([{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.1', family: 4 }]),
    });
  });
});

// The first address stalls (SYN never answered, see helpers/stalled.js); the
// second is the same port on ::1.
async function stalledThenIPv6(net, { serveIPv6, options, setDefault }) {
  const stalled = await stalledListener(net);
  const server = net.createServer((s) => s.end());
  const previousDefault = net.getDefaultAutoSelectFamilyAttemptTimeout();
  try {
    if (serveIPv6) await listen(server, { port: stalled.port, host: '::1', ipv6Only: true });
    if (setDefault) net.setDefaultAutoSelectFamilyAttemptTimeout(setDefault);
    const started = Date.now();
    const seen = await attempt(net, {
      port: stalled.port,
      lookup: answering([{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]),
      ...options,
    });
    seen.tookAtLeast100ms = Date.now() - started >= 95;
    return seen;
  } finally {
    net.setDefaultAutoSelectFamilyAttemptTimeout(previousDefault);
    if (server.listening) await close(server);
    stalled.cleanup();
  }
}

test('a stalled attempt is abandoned after autoSelectFamilyAttemptTimeout and the next address connects', { timeout: 30000 }, async () => {
  await sameOnBoth((net) => stalledThenIPv6(net, { serveIPv6: true, options: { autoSelectFamilyAttemptTimeout: 100 } }));
});

test('the attempt timeout defaults to setDefaultAutoSelectFamilyAttemptTimeout()', { timeout: 30000 }, async () => {
  await sameOnBoth((net) => stalledThenIPv6(net, { serveIPv6: true, options: {}, setDefault: 100 }));
});

test('a timed-out attempt then a refused one: AggregateError with ETIMEDOUT and ECONNREFUSED', { timeout: 30000 }, async () => {
  await sameOnBoth((net) => stalledThenIPv6(net, { serveIPv6: false, options: { autoSelectFamilyAttemptTimeout: 100 } }));
});

test('destroy() during a stalled attempt: the attempt fails with ECANCELED, no timeout follows', { timeout: 30000 }, async () => {
  await sameOnBoth(async (net) => {
    const stalled = await stalledListener(net);
    try {
      const log = [];
      await new Promise((resolve) => {
        const client = net.connect({
          port: stalled.port,
          host: 'eyeballs.test',
          autoSelectFamily: true,
          autoSelectFamilyAttemptTimeout: 100,
          lookup: answering([{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]),
        });
        record(log, 'client', client, EVENTS);
        client.once('connectionAttempt', () => setTimeout(() => client.destroy(), 30));
        // Long enough for a stray attempt timer (100 ms) to show up in the log.
        client.on('close', () => setTimeout(resolve, 200));
      });
      return log.map((e) => e.split(String(stalled.port)).join('PORT'));
    } finally {
      stalled.cleanup();
    }
  });
});

test('autoSelectFamily options are validated like built-in net', async () => {
  await sameOnBoth((net) => {
    const shapes = [];
    for (const extra of [
      { autoSelectFamily: 1 }, { autoSelectFamily: 'yes' },
      { autoSelectFamilyAttemptTimeout: 0 }, { autoSelectFamilyAttemptTimeout: 1.5 },
      { autoSelectFamilyAttemptTimeout: '100' }, { autoSelectFamilyAttemptTimeout: 2 ** 31 },
      { autoSelectFamily: null, autoSelectFamilyAttemptTimeout: null },
    ]) {
      try {
        net.connect({ port: 9, host: '127.0.0.1', ...extra }).on('error', () => {}).destroy();
        shapes.push('accepted');
      } catch (err) {
        shapes.push(errorShape(err));
      }
    }
    return shapes;
  });
});

// getaddrinfo flags by name: their values differ by runtime (Deno's dns
// constants are not Node's), the flags asked for must not.
function hintNames(hints) {
  if (typeof hints !== 'number') return hints;
  return ['ADDRCONFIG', 'V4MAPPED', 'ALL'].filter((name) => hints & dns[name]).concat(
    hints & ~(dns.ADDRCONFIG | dns.V4MAPPED | dns.ALL) ? [`other ${hints}`] : []);
}

test('the lookup function gets the same host and options as from built-in net', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.end());
    const { port } = await listen(server, 0, '127.0.0.1');
    const asked = [];
    const variants = [
      {}, { family: 4 }, { family: 6 }, { family: 'IPv6' }, { family: 0 },
      { hints: dns.V4MAPPED }, { hints: dns.ADDRCONFIG | dns.ALL }, { family: 4, hints: dns.V4MAPPED },
      { localAddress: '127.0.0.1' }, { autoSelectFamily: false }, { autoSelectFamily: true },
    ];
    for (const variant of variants) {
      await new Promise((resolve) => {
        const client = net.connect({
          port,
          host: 'hints.test',
          ...variant,
          lookup(host, options, cb) {
            asked.push({ host, options: { ...options, hints: hintNames(options.hints) } });
            if (options.all) setImmediate(cb, null, [{ address: '127.0.0.1', family: 4 }]);
            else setImmediate(cb, null, '127.0.0.1', 4);
          },
        });
        client.on('error', () => {});
        client.resume();
        client.on('close', resolve);
      });
    }
    await close(server);
    return asked;
  });
});

// Command-line defaults: each case runs in a child of this runtime (Bun reads
// the same flags) that prints the defaults of its built-in net and of cnet.
for (const [name, execArgv, nodeOptions] of [
  ['no flags', [], ''],
  ['--no-network-family-autoselection', ['--no-network-family-autoselection'], ''],
  ['--network-family-autoselection-attempt-timeout=123', ['--network-family-autoselection-attempt-timeout=123'], ''],
  ['a value as the next argument, underscores, the last flag winning',
    ['--network_family_autoselection_attempt_timeout', '40', '--no-network-family-autoselection',
      '--enable-network-family-autoselection'], ''],
  ['NODE_OPTIONS, overridden by the command line',
    ['--network-family-autoselection-attempt-timeout=9'],
    '--no-network-family-autoselection --network-family-autoselection-attempt-timeout="700"'],
]) {
  const bunSpelling = Boolean(process.versions.bun) && /next argument/.test(name)
    && 'Bun\'s command line takes only --name=value with dashes';
  test(`defaults from the command line (${name}) are built-in net's`, { skip: bunSpelling }, () => {
    const { spawnSync } = require('child_process');
    const path = require('path');
    const script = `const c = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'net.js'))});
      const n = require('net');
      const d = (m) => [m.getDefaultAutoSelectFamily(), m.getDefaultAutoSelectFamilyAttemptTimeout()];
      console.log(JSON.stringify({ net: d(n), cnet: d(c) }));`;
    const r = spawnSync(process.execPath, [...execArgv, '-e', script], {
      encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions }, timeout: 30000,
    });
    const { net, cnet } = JSON.parse(r.stdout);
    require('assert').deepStrictEqual(cnet, net);
  });
}
