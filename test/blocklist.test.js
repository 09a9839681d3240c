'use strict';
// The blockList option of Socket, connect() and createServer(), compared with
// built-in net where it has the option (Node 22.13+); Node 20's net lacks it, and
// there cnet must still behave as Node 24's net does (the literals below).
const test = require('node:test');
const {
  builtin, sameAsNode24, record, listen, close, thrown,
} = require('./helpers/modules');

const builtinHasBlockList = typeof builtin.BlockList.isBlockList === 'function';
const CLIENT_EVENTS = ['connectionAttempt', 'connectionAttemptFailed', 'connect', 'end', 'close', 'error'];

function blocking(net, ...addresses) {
  const blockList = new net.BlockList();
  for (const address of addresses) blockList.addAddress(address, address.includes(':') ? 'ipv6' : 'ipv4');
  return blockList;
}

// Connects with the given options; resolves with the client's events once it closes.
function connectAndLog(net, options) {
  return new Promise((resolve) => {
    const log = [];
    const client = net.connect(options);
    record(log, 'client', client, CLIENT_EVENTS);
    client.on('error', (err) => log.push(`client:message(${err.message})`));
    client.resume();
    client.on('connect', () => client.end());
    client.on('close', () => resolve(log));
  });
}

const notABlockList = (received) => ({
  name: 'TypeError',
  code: 'ERR_INVALID_ARG_TYPE',
  message: `The "options.blockList" property must be an net.BlockList. Received ${received}`,
});

test('blockList that is not a net.BlockList: ERR_INVALID_ARG_TYPE from Socket, connect() and createServer()', async () => {
  await sameAsNode24(builtinHasBlockList, (net) => ({
    socket: thrown(() => new net.Socket({ blockList: 5 })),
    connect: thrown(() => net.connect({ port: 9, host: '127.0.0.1', blockList: {} }).destroy()),
    server: thrown(() => net.createServer({ blockList: 'x' })),
    falsy: thrown(() => {
      for (const blockList of [0, null, false, '', undefined]) {
        new net.Socket({ blockList }).destroy();
        net.createServer({ blockList });
      }
    }),
    property: new net.Socket({ blockList: new net.BlockList() }).blockList instanceof net.BlockList,
  }), {
    socket: notABlockList('type number (5)'),
    connect: notABlockList('an instance of Object'),
    server: notABlockList("type string ('x')"),
    falsy: 'no error',
    property: true,
  });
});

test('client: connecting to a blocked address fails with ERR_IP_BLOCKED after connectionAttempt', async () => {
  await sameAsNode24(builtinHasBlockList, async (net) => {
    const server = net.createServer((s) => s.end());
    let connections = 0;
    server.on('connection', () => { connections++; });
    const { port } = await listen(server, 0, '127.0.0.1');
    const blocked = await connectAndLog(net, { port, host: '127.0.0.1', blockList: blocking(net, '127.0.0.1') });
    const allowed = await connectAndLog(net, { port, host: '127.0.0.1', blockList: blocking(net, '10.0.0.1') });
    await close(server);
    return { blocked: blocked.map((e) => e.replace(String(port), 'PORT')), allowed: allowed.length, connections };
  }, {
    blocked: [
      'client:connectionAttempt(127.0.0.1,PORT,4)',
      'client:error(Error/ERR_IP_BLOCKED/)',
      'client:message(IP(127.0.0.1) is blocked by net.BlockList)',
      'client:close(true)',
    ],
    allowed: 4,
    connections: 1,
  });
});

test('client with autoSelectFamily: a blocked address is skipped with connectionAttemptFailed, the next one connects', async () => {
  await sameAsNode24(builtinHasBlockList, async (net) => {
    const server = net.createServer((s) => s.end());
    const { port } = await listen(server, 0, '127.0.0.1');
    const log = await connectAndLog(net, {
      port,
      host: 'blocked-first.test',
      autoSelectFamily: true,
      blockList: blocking(net, '::1'),
      lookup: (host, options, cb) => setImmediate(cb, null, [
        { address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 },
      ]),
    });
    await close(server);
    return log.map((e) => e.replace(String(port), 'PORT'));
  }, [
    'client:connectionAttemptFailed(::1,PORT,6,Error/ERR_IP_BLOCKED/)',
    'client:connectionAttempt(127.0.0.1,PORT,4)',
    'client:connect',
    'client:end',
    'client:close(false)',
  ]);
});

test('client with autoSelectFamily: every address blocked ends in an AggregateError of ERR_IP_BLOCKED', async () => {
  await sameAsNode24(builtinHasBlockList, async (net) => {
    let errors;
    const log = await new Promise((resolve) => {
      const entries = [];
      const client = net.connect({
        port: 9,
        host: 'all-blocked.test',
        autoSelectFamily: true,
        blockList: blocking(net, '::1', '127.0.0.1'),
        lookup: (host, options, cb) => setImmediate(cb, null, [
          { address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 },
        ]),
      });
      record(entries, 'client', client, CLIENT_EVENTS);
      client.on('error', (err) => { errors = err.errors.map((e) => e.message); });
      client.on('close', () => resolve(entries));
    });
    return { log, errors };
  }, {
    log: [
      'client:connectionAttemptFailed(127.0.0.1,9,4,Error/ERR_IP_BLOCKED/)',
      'client:connectionAttemptFailed(::1,9,6,Error/ERR_IP_BLOCKED/)',
      'client:error(AggregateError/ERR_IP_BLOCKED/)',
      'client:close(true)',
    ],
    errors: ['IP(127.0.0.1) is blocked by net.BlockList', 'IP(::1) is blocked by net.BlockList'],
  });
});

test('server: a connection from a blocked address is closed with no connection event; others are served', async () => {
  await sameAsNode24(builtinHasBlockList, async (net) => {
    const serverLog = [];
    const server = net.createServer({ blockList: blocking(net, '127.0.0.2') }, (socket) => {
      serverLog.push(`connection from ${socket.remoteAddress}`);
      socket.end('welcome');
    });
    record(serverLog, 'server', server, ['drop', 'error']);
    const { port } = await listen(server, 0, '127.0.0.1');
    const blocked = await connectAndLog(net, { port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    const allowed = await connectAndLog(net, { port, host: '127.0.0.1', localAddress: '127.0.0.1' });
    let count;
    server.getConnections((err, n) => { count = n; });
    await close(server);
    const strip = (log) => log.map((e) => e.replace(String(port), 'PORT'));
    return { blocked: strip(blocked), allowed: strip(allowed), serverLog, count };
  }, {
    blocked: ['client:connectionAttempt(127.0.0.1,PORT,4)', 'client:connect', 'client:end', 'client:close(false)'],
    allowed: ['client:connectionAttempt(127.0.0.1,PORT,4)', 'client:connect', 'client:end', 'client:close(false)'],
    serverLog: ['connection from 127.0.0.1'],
    count: 0,
  });
});

test('server on the dual-stack any-address: an IPv4 client is checked by its IPv4-mapped address', async () => {
  await sameAsNode24(builtinHasBlockList, async (net) => {
    const results = [];
    for (const rule of ['127.0.0.1', '::ffff:127.0.0.1']) {
      let connections = 0;
      const server = net.createServer({ blockList: blocking(net, rule) }, (socket) => {
        connections++;
        socket.end();
      });
      const { port } = await listen(server, 0);
      await connectAndLog(net, { port, host: '127.0.0.1' });
      await close(server);
      results.push({ rule, connections });
    }
    return results;
  }, [{ rule: '127.0.0.1', connections: 0 }, { rule: '::ffff:127.0.0.1', connections: 0 }]);
});
