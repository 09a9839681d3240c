'use strict';
// diagnostics_channel: 'net.client.socket', 'net.server.socket' and the tracing
// channel 'tracing:net.server.listen' carry the same messages, at the same
// moments relative to net's own events and calls, as built-in net publishes.
const test = require('node:test');
const dc = require('diagnostics_channel');
const { sameOnBoth, listen, close, once, pipePath } = require('./helpers/modules');

const CHANNELS = ['net.client.socket', 'net.server.socket',
  ...['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((e) => `tracing:net.server.listen:${e}`)];

// Subscribes to every channel for the scenario's length; `log` gets one entry per
// message (channel and what each field is) and the scenario's own entries.
async function withSubscribers(scenario) {
  const log = [];
  const known = new Map();
  const name = (value) => known.get(value) || (value && value.constructor ? value.constructor.name : typeof value);
  const subscribers = CHANNELS.map((channel) => [channel, (message) => {
    const fields = Object.keys(message).sort().map((key) => {
      const value = message[key];
      if (key === 'options') {
        return `options=${JSON.stringify(value).replace(/"port":[1-9]\d*/, '"port":P').replace(/"\/[^"]*"/, '"path"')}`;
      }
      if (key === 'error') return `error=${value.code}`;
      return `${key}=${name(value)}`;
    });
    log.push(`${channel.replace('tracing:net.server.listen:', 'listen:')}(${fields.join(' ')})`);
  }]);
  for (const [channel, fn] of subscribers) dc.subscribe(channel, fn);
  try {
    await scenario(log, (label, value) => known.set(value, label));
  } finally {
    for (const [channel, fn] of subscribers) dc.unsubscribe(channel, fn);
  }
  return log;
}

test('listen, connect with net.connect() and with socket.connect(), accept: messages in the order built-in net publishes them', async () => {
  await sameOnBoth((net) => withSubscribers(async (log, known) => {
    const server = net.createServer((socket) => {
      known('accepted socket', socket);
      log.push('connection');
      socket.end();
    });
    known('the server', server);
    server.on('listening', () => log.push('listening'));
    log.push('listen()');
    server.listen(0, '127.0.0.1');
    log.push('listen() returned');
    await once(server, 'listening');
    for (const how of ['net.connect()', 'socket.connect()']) {
      log.push(how);
      const client = how === 'net.connect()' ? net.connect({ port: server.address().port, host: '127.0.0.1' })
        : new net.Socket().connect(server.address().port, '127.0.0.1');
      known('the client', client);
      log.push(`${how} returned`);
      client.on('connect', () => log.push('connect'));
      client.resume();
      await once(client, 'close');
    }
    await close(server);
  }));
});

test('listen errors: a busy port publishes listen:error before the error event; bad input and lookup failures publish none', async () => {
  await sameOnBoth((net) => withSubscribers(async (log, known) => {
    const first = net.createServer();
    await listen(first, 0, '127.0.0.1');
    const busy = net.createServer();
    known('the server', busy);
    busy.on('error', (err) => log.push(`error event ${err.code}`));
    busy.listen(first.address().port, '127.0.0.1');
    await once(busy, 'error');
    for (const badArgs of [[-1], [{}]]) {
      try {
        net.createServer().listen(...badArgs);
      } catch (err) {
        log.push(`threw ${err.code}`);
      }
    }
    const unresolvable = net.createServer();
    unresolvable.listen(0, 'nonexistent.invalid');
    const [err] = await once(unresolvable, 'error');
    log.push(`lookup error event ${err.code}`);
    try {
      first.listen(0);
    } catch (e) {
      log.push(`threw ${e.code}`);
    }
    await close(first);
  }));
});

test('listen then close at once, listen with an aborted signal, and a pipe: asyncEnd is published where a listen started, even when no listening follows', async () => {
  await sameOnBoth((net) => withSubscribers(async (log) => {
    for (const host of [undefined, '127.0.0.1']) {
      const closed = net.createServer();
      closed.on('listening', () => log.push('listening (closed)'));
      closed.listen(0, host);
      closed.close();
      await once(closed, 'close');
      log.push(`closed (host ${host})`);
      const aborted = net.createServer();
      aborted.on('listening', () => log.push('listening (aborted)'));
      aborted.listen({ port: 0, host, signal: AbortSignal.abort() });
      await once(aborted, 'close');
      log.push(`aborted (host ${host})`);
      await new Promise(setImmediate);
    }
    const pipe = net.createServer();
    pipe.listen({ path: pipePath('dc') });
    await once(pipe, 'listening');
    log.push('pipe listening');
    await close(pipe);
  }));
});
