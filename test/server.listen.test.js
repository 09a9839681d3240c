'use strict';
// Server: listen overloads, address(), errors, close semantics and options, compared with built-in net.
const test = require('node:test');
const assert = require('assert');
const {
  sameOnBoth, perEndpoint, record, listen, close, pipePath, errorShape, once,
} = require('./helpers/modules');

function normalizeAddress(address) {
  if (address && typeof address === 'object') return { ...address, port: typeof address.port };
  return address;
}

const listenForms = {
  'listen()': () => [],
  'listen(cb) only': () => [],
  'listen(0)': () => [0],
  'listen(0, host)': () => [0, '127.0.0.1'],
  'listen(0, host, backlog)': () => [0, '127.0.0.1', 10],
  'listen("0") numeric string port': () => ['0'],
  'listen({ port: 0 })': () => [{ port: 0 }],
  'listen({ port: 0, host })': () => [{ port: 0, host: '127.0.0.1' }],
  'listen({ host: "::1" })': () => [{ port: 0, host: '::1' }],
  'listen({ host: "localhost" })': () => [{ port: 0, host: 'localhost' }],
  'listen({ port: undefined })': () => [{ port: undefined }],
};

for (const [name, makeArgs] of Object.entries(listenForms)) {
  test(`${name}: listening event, address() and listening flag match built-in net`, async () => {
    await sameOnBoth(async (net) => {
      const server = net.createServer();
      const log = [];
      record(log, 'server', server, ['listening', 'close', 'error']);
      const before = [server.listening, server.address()];
      await listen(server, ...makeArgs());
      const during = [server.listening, normalizeAddress(server.address())];
      await close(server);
      const after = [server.listening, server.address()];
      return { log, before, during, after };
    });
  });
}

test('listen(path) and listen({ path }) on a Unix socket: address() is the path', async () => {
  await sameOnBoth(async (net) => {
    const results = [];
    for (const form of [(p) => [p], (p) => [{ path: p }]]) {
      const path = pipePath('listen');
      const server = net.createServer();
      await listen(server, ...form(path));
      results.push(server.address() === path, server.listening);
      await close(server);
    }
    return results;
  });
});

test('EADDRINUSE: same error message and fields as built-in net', async () => {
  await sameOnBoth(async (net) => {
    const first = net.createServer();
    const { port } = await listen(first, 0, '127.0.0.1');
    const second = net.createServer();
    const log = [];
    record(log, 'second', second, ['listening', 'error', 'close']);
    const [err] = await new Promise((resolve) => {
      second.on('error', (...a) => resolve(a));
      second.listen(port, '127.0.0.1');
    });
    const shape = errorShape(err);
    shape.message = shape.message.replace(String(port), 'PORT');
    shape.port = typeof shape.port;
    const listeningAfterError = second.listening;
    await close(first);
    return { log, shape, listeningAfterError };
  });
});

test('EADDRINUSE on a Unix socket path: same error as built-in net', async () => {
  await sameOnBoth(async (net) => {
    const path = pipePath('inuse');
    const first = net.createServer();
    await listen(first, path);
    const second = net.createServer();
    const [err] = await new Promise((resolve) => {
      second.on('error', (...a) => resolve(a));
      second.listen(path);
    });
    await close(first);
    const shape = errorShape(err);
    shape.message = shape.message.replace(path, 'PATH');
    shape.address = shape.address === path;
    return shape;
  });
});

test('close() when not listening: callback gets ERR_SERVER_NOT_RUNNING and close is emitted', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer();
    const log = [];
    record(log, 'server', server, ['close']);
    const err = await new Promise((resolve) => server.close(resolve));
    return { log, err: errorShape(err) };
  });
});

test('close() waits for open connections; close event follows the last socket', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const sockets = [];
    const socketsClosed = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      s.resume();
      socketsClosed.push(new Promise((resolve) => s.on('close', () => {
        log.push('server-socket:close');
        resolve();
      })));
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const client = net.connect(port, '127.0.0.1');
      client.resume();
      clients.push(client);
      await once(client, 'connect');
    }
    while (sockets.length < 3) await new Promise((r) => setImmediate(r));
    const counts = [];
    counts.push(await new Promise((r) => server.getConnections((e, n) => r(n))));
    const closed = new Promise((resolve) => server.close(() => { log.push('server:close-callback'); resolve(); }));
    server.on('close', () => log.push('server:close'));
    log.push(`listening:${server.listening}`);
    for (const client of clients) {
      await new Promise((r) => setTimeout(r, 5));
      log.push('client:end');
      client.end();
      await once(client, 'close');
    }
    await closed;
    counts.push(await new Promise((r) => server.getConnections((e, n) => r(n))));
    await Promise.all(socketsClosed);
    return { log, counts };
  }, { onPrivateLoop: ({ log, counts }) => ({ log: perEndpoint(log), counts }) });
});

test('server.ref()/unref() return the server, before and while listening', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer();
    const chained = [server.unref() === server, server.ref() === server];
    await listen(server, 0, '127.0.0.1');
    chained.push(server.unref() === server, server.ref() === server);
    await close(server);
    return chained;
  });
});

test('maxConnections: connections beyond the limit are closed by the server', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.resume());
    server.maxConnections = 1;
    const { port } = await listen(server, 0, '127.0.0.1');
    const first = net.connect(port, '127.0.0.1');
    first.resume();
    await once(first, 'connect');
    await new Promise((r) => setTimeout(r, 20));
    const second = net.connect(port, '127.0.0.1');
    const log = [];
    record(log, 'second', second, ['connect', 'end', 'close']);
    second.on('error', (e) => log.push(`second:error(${e.code})`));
    second.resume();
    await once(second, 'close');
    first.end();
    await once(first, 'close');
    const count = await new Promise((r) => server.getConnections((e, n) => r(n)));
    await close(server);
    return { log: log.filter((l) => l !== 'second:error(ECONNRESET)'), count };
  });
});

test('pauseOnConnect: no data until resume(), then all of it', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    let received = '';
    const server = net.createServer({ pauseOnConnect: true }, (s) => {
      s.setEncoding('utf8');
      s.on('data', (d) => { received += d; });
      log.push(`paused:${s.isPaused()}`);
      setTimeout(() => {
        log.push(`before-resume:${received}`);
        s.resume();
      }, 30);
      s.on('end', () => s.end());
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1', () => client.end('payload'));
    client.resume();
    await once(client, 'close');
    await close(server);
    log.push(`after:${received}`);
    return log;
  });
});

test('allowHalfOpen server: the server can write after the client ended', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.resume();
      s.on('end', () => {
        log.push('server-socket:end');
        setTimeout(() => s.end('late reply'), 10);
      });
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    let reply = '';
    const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => client.end('bye'));
    client.setEncoding('utf8');
    client.on('data', (d) => { reply += d; });
    client.on('end', () => log.push('client:end'));
    await once(client, 'close');
    await close(server);
    return { log, reply };
  });
});

test('noDelay and keepAlive server options are accepted and sockets work', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 }, (s) => {
      s.pipe(s);
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1', () => client.end('ping'));
    let reply = '';
    client.on('data', (d) => { reply += d; });
    await once(client, 'close');
    await close(server);
    return reply;
  });
});

test('connection event receives a Socket with server and remote fields set', async () => {
  await sameOnBoth(async (net) => {
    let info;
    const server = net.createServer((s) => {
      info = {
        isSocket: s instanceof net.Socket,
        server: s.server === server,
        remoteAddress: s.remoteAddress,
        remoteFamily: s.remoteFamily,
        localAddress: s.localAddress,
        localPort: s.localPort === server.address().port,
        readyState: s.readyState,
        connecting: s.connecting,
        pending: s.pending,
      };
      s.resume();
      s.end();
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    client.resume();
    await once(client, 'close');
    await close(server);
    return info;
  });
});

test('server emits error for a hostname that does not resolve', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer();
    const [err] = await new Promise((resolve) => {
      server.on('error', (...a) => resolve(a));
      server.listen(0, 'cnet-test.invalid');
    });
    return { code: err.code, syscall: err.syscall, listening: server.listening };
  });
});

test('Symbol.asyncDispose closes the server', { skip: typeof Symbol.asyncDispose !== 'symbol' && 'runtime has no Symbol.asyncDispose' }, async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer();
    await listen(server, 0, '127.0.0.1');
    await server[Symbol.asyncDispose]();
    return server.listening;
  });
});

test('getConnections counts accepted sockets', async () => {
  const { cnet } = require('./helpers/modules');
  const server = cnet.createServer((s) => s.resume());
  const { port } = await listen(server, 0, '127.0.0.1');
  const clients = [cnet.connect(port, '127.0.0.1'), cnet.connect(port, '127.0.0.1')];
  await Promise.all(clients.map((c) => once(c, 'connect')));
  await new Promise((r) => setTimeout(r, 20));
  const n = await new Promise((r) => server.getConnections((e, count) => r(count)));
  assert.strictEqual(n, 2);
  for (const c of clients) c.destroy();
  await close(server);
});

for (const limit of [0, 1]) {
  test(`maxConnections = ${limit}: connections over the limit are dropped with a 'drop' event`, async () => {
    await sameOnBoth(async (net) => {
      const log = [];
      const server = net.createServer((s) => {
        log.push('connection');
        s.resume();
        s.on('end', () => s.end());
      });
      server.maxConnections = limit;
      server.on('drop', (data) => log.push(`drop:${Object.keys(data).sort().join(',')}:${data.remoteAddress}:${data.localFamily}`));
      const { port } = await listen(server, 0, '127.0.0.1');
      for (let i = 0; i < 2; i++) {
        const client = net.connect(port, '127.0.0.1');
        const closed = once(client, 'close');
        client.on('error', () => {});
        client.resume();
        await once(client, 'connect');
        await new Promise((r) => setTimeout(r, 20));
        client.end();
        await closed;
      }
      await close(server);
      return log;
    });
  });
}

test('listen({ signal }): aborting closes the server; an aborted signal never listens', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const controller = new AbortController();
    const server = net.createServer((s) => s.resume());
    record(log, 'server', server, ['listening', 'close', 'error']);
    await listen(server, { port: 0, host: '127.0.0.1', signal: controller.signal });
    controller.abort();
    await once(server, 'close');
    log.push(`listening:${server.listening}`);

    const aborted = new AbortController();
    aborted.abort();
    const idle = net.createServer();
    record(log, 'idle', idle, ['listening', 'close', 'error']);
    idle.listen({ port: 0, signal: aborted.signal });
    await once(idle, 'close');
    log.push(`idle-listening:${idle.listening}`);
    return log;
  });
});

test('connect({ signal }): aborting destroys the socket with an AbortError', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const server = net.createServer((s) => s.resume());
    const { port } = await listen(server, 0, '127.0.0.1');
    const controller = new AbortController();
    const client = net.connect({ port, host: '127.0.0.1', signal: controller.signal });
    client.on('error', (e) => log.push(`error:${e.name}:${e.code}`));
    client.on('close', (hadError) => log.push(`close:${hadError}`));
    await once(client, 'connect');
    controller.abort();
    await once(client, 'close');
    await close(server);
    return log;
  });
});

// A host whose lookup answers link-local IPv6 addresses (fe80::/10) first: Node
// 22+ asks for every address and listens on the first one that is not
// link-local; Node 20 asks for one and listens on it.
test('listen(port, host) where the host resolves to link-local IPv6 addresses first', async () => {
  const dns = require('dns');
  await sameOnBoth(async (net) => {
    const lookup = dns.lookup;
    const seen = [];
    dns.lookup = (host, options, cb) => {
      const all = typeof options === 'object' && options.all === true;
      seen.push(`lookup(${host}, ${all ? 'all' : 'one'})`);
      const callback = typeof options === 'function' ? options : cb;
      const entries = host === 'only-link-local' ? [{ address: 'fe80::1', family: 6 }]
        : [{ address: 'fe80::1', family: 6 }, { address: 'febf::2', family: 6 }, { address: '127.0.0.1', family: 4 }];
      process.nextTick(() => (all ? callback(null, entries) : callback(null, entries[0].address, entries[0].family)));
    };
    try {
      for (const host of ['only-link-local', 'link-local-first']) {
        const server = net.createServer();
        const outcome = await new Promise((resolve) => {
          server.on('error', (err) => resolve({ error: err.code, address: err.address, syscall: err.syscall }));
          server.listen(0, host, () => resolve({ listening: server.address().address }));
        });
        seen.push(outcome);
        if (outcome.listening) await close(server);
      }
    } finally {
      dns.lookup = lookup;
    }
    return seen;
  });
});
