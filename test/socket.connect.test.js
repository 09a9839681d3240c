'use strict';
// Connecting: overloads, event order on both ends, errors and socket properties, compared with built-in net.
const test = require('node:test');
const assert = require('assert');
const {
  sameOnBoth, perEndpoint, record, listen, close, pipePath, errorShape, denoTickOrder, once,
} = require('./helpers/modules');

const CLIENT_EVENTS = ['lookup', 'connect', 'ready', 'data', 'end', 'finish', 'close', 'error', 'timeout'];
const SERVER_SOCKET_EVENTS = ['data', 'end', 'finish', 'close', 'error'];

// A client says hello, the server answers and ends; both ends' events are logged.
async function helloExchange(net, connectArgs) {
  const log = [];
  let serverSocketClosed;
  const serverSocketDone = new Promise((resolve) => { serverSocketClosed = resolve; });
  const server = net.createServer((socket) => {
    record(log, 'server-socket', socket, SERVER_SOCKET_EVENTS);
    socket.on('close', serverSocketClosed);
    socket.on('data', (d) => socket.end(`echo:${d}`));
  });
  record(log, 'server', server, ['listening', 'connection', 'close']);
  const address = await listen(server, ...connectArgs.listen);
  await new Promise((resolve) => {
    const client = net.connect(...connectArgs.connect(address), () => log.push('client:connect-callback'));
    record(log, 'client', client, CLIENT_EVENTS);
    client.setEncoding('utf8');
    client.on('data', (d) => log.push(`client:text(${d})`));
    client.write('hello');
    client.on('end', () => client.end());
    client.on('close', resolve);
  });
  await close(server);
  await serverSocketDone;
  return log;
}

test('connect(port, host, cb): same events on both ends as built-in net', async () => {
  await sameOnBoth((net) => helloExchange(net, {
    listen: [0, '127.0.0.1'],
    connect: (a) => [a.port, '127.0.0.1'],
  }), { onPrivateLoop: perEndpoint });
});

test('connect(options, cb) with host "localhost" emits lookup like built-in net', async () => {
  await sameOnBoth((net) => helloExchange(net, {
    listen: [0, '127.0.0.1'],
    connect: (a) => [{ port: a.port, host: 'localhost' }],
  }), { onPrivateLoop: perEndpoint });
});

test('connect(port) with no host defaults to localhost', async () => {
  await sameOnBoth((net) => helloExchange(net, {
    listen: [0],
    connect: (a) => [a.port],
  }), { onPrivateLoop: perEndpoint });
});

test('connect over IPv6 loopback ::1', async () => {
  await sameOnBoth((net) => helloExchange(net, {
    listen: [0, '::1'],
    connect: (a) => [{ port: a.port, host: '::1' }],
  }), { onPrivateLoop: perEndpoint });
});

test('connect(path, cb) over a Unix domain socket', async () => {
  await sameOnBoth((net) => {
    const path = pipePath('connect');
    return helloExchange(net, { listen: [path], connect: () => [path] });
  }, { onPrivateLoop: perEndpoint });
});

test('connect({ path }) over a Unix domain socket', async () => {
  await sameOnBoth((net) => {
    const path = pipePath('connect-opts');
    return helloExchange(net, { listen: [{ path }], connect: () => [{ path }] });
  }, { onPrivateLoop: perEndpoint });
});

test('refused connection: error fields and error/close order match', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer();
    const { port } = await listen(server, 0, '127.0.0.1');
    await close(server);
    const log = [];
    const err = await new Promise((resolve) => {
      const client = net.connect(port, '127.0.0.1');
      record(log, 'client', client, CLIENT_EVENTS);
      let seen;
      client.on('error', (e) => { seen = e; });
      client.on('close', () => resolve(seen));
    });
    const shape = errorShape(err);
    assert.strictEqual(shape.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
    shape.message = shape.message.replace(String(port), 'PORT');
    shape.port = 'PORT';
    return { log, shape };
  });
});

test('a refused connect from a given local address or port names the local end in its error', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer();
    const { port } = await listen(server, 0, '127.0.0.1');
    await close(server);
    const seen = [];
    for (const local of [{ localAddress: '127.0.0.1', localPort: 0 }, { localAddress: '127.0.0.1' }, { localPort: 1 }]) {
      const free = net.createServer();
      const { port: localPort } = await listen(free, 0, '127.0.0.1');
      await close(free);
      const options = { port, host: '127.0.0.1', ...local };
      if (options.localPort) options.localPort = localPort;
      const err = await new Promise((resolve) => net.connect(options).on('error', resolve));
      seen.push({
        ...errorShape(err),
        port: err.port === port,
        message: err.message.replace(/:\d+/g, ':P'),
        localAddress: err.localAddress,
        localPort: err.localPort === undefined ? undefined : err.localPort === localPort,
      });
    }
    return seen;
  });
});

test('connecting to a missing Unix socket path fails with ENOENT like built-in net', async () => {
  await sameOnBoth(async (net) => {
    const path = '/tmp/cnet-does-not-exist.sock';
    const log = [];
    const err = await new Promise((resolve) => {
      const client = net.connect(path);
      record(log, 'client', client, CLIENT_EVENTS);
      let seen;
      client.on('error', (e) => { seen = e; });
      client.on('close', () => resolve(seen));
    });
    return { log, err: errorShape(err) };
  });
});

test('DNS failure reaches the error event with getaddrinfo fields', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const err = await new Promise((resolve) => {
      const client = net.connect({ port: 80, host: 'cnet-test.invalid' });
      record(log, 'client', client, ['connect', 'close', 'error']);
      let seen;
      client.on('error', (e) => { seen = e; });
      client.on('close', () => resolve(seen));
    });
    return { log, code: err.code, syscall: err.syscall, hostname: err.hostname };
  });
});

test('a custom lookup function is used and its result is connected to', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.end('ok'));
    const { port } = await listen(server, 0, '127.0.0.1');
    const asked = [];
    const log = [];
    await new Promise((resolve) => {
      const client = net.connect({
        port,
        host: 'my-service.test',
        lookup(host, options, cb) {
          asked.push(host);
          if (options.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
          else cb(null, '127.0.0.1', 4);
        },
      });
      record(log, 'client', client, CLIENT_EVENTS);
      client.resume();
      client.on('close', resolve);
    });
    await close(server);
    return { asked, log };
  });
});

test('writes made before connect completes are queued and delivered in order', async () => {
  await sameOnBoth(async (net) => {
    let received = '';
    const server = net.createServer((s) => {
      s.setEncoding('utf8');
      s.on('data', (d) => { received += d; });
      s.on('end', () => s.end());
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    const states = [client.connecting, client.pending, client.readyState];
    const results = [client.write('one,'), client.write(Buffer.from('two,')), client.write('three')];
    client.end();
    client.resume();
    await new Promise((resolve) => client.on('close', resolve));
    await close(server);
    return { received, states, results: results.map(Boolean) };
  });
});

test('bufferSize: undefined before connect and after close, the bytes queued while connecting', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.resume().on('end', () => s.end()));
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = new net.Socket();
    const sizes = [client.bufferSize];
    client.connect(port, '127.0.0.1');
    client.write('hello');
    client.write(Buffer.alloc(7));
    sizes.push(client.bufferSize);
    await new Promise((resolve) => client.once('connect', resolve));
    client.end();
    client.resume();
    await new Promise((resolve) => client.on('close', resolve));
    sizes.push(client.bufferSize);
    await close(server);
    return sizes;
  });
});

test('connect() again after close: bytesRead and bytesWritten count the new connection only', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => { s.resume(); s.on('end', () => s.end('xy')); });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    const counts = [];
    for (let round = 1; round <= 2; round++) {
      if (round === 2) {
        client.connect(port, '127.0.0.1');
        counts.push(`reconnecting: ${client.bytesWritten}/${client.bytesRead}`);
      }
      await once(client, 'connect');
      client.resume();
      client.end('foobar');
      await once(client, 'close');
      counts.push(`closed ${round}: ${client.bytesWritten}/${client.bytesRead}`);
    }
    await close(server);
    return counts;
  });
});

test('socket properties while connected and after close match built-in net', { skip: denoTickOrder }, async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.resume().end());
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    const before = {
      connecting: client.connecting,
      pending: client.pending,
      readyState: client.readyState,
      destroyed: client.destroyed,
      remoteAddress: client.remoteAddress,
      localAddress: client.localAddress,
      address: client.address(),
      bytesRead: client.bytesRead,
      bytesWritten: client.bytesWritten,
      timeout: client.timeout,
    };
    await new Promise((resolve) => client.on('connect', resolve));
    const during = {
      connecting: client.connecting,
      pending: client.pending,
      readyState: client.readyState,
      remoteAddress: client.remoteAddress,
      remotePort: client.remotePort === port,
      remoteFamily: client.remoteFamily,
      localAddress: client.localAddress,
      localFamily: client.localFamily,
      localPortIsNumber: typeof client.localPort === 'number',
      addressKeys: Object.keys(client.address()).sort(),
    };
    client.write('12345');
    client.resume();
    await new Promise((resolve) => client.on('close', resolve));
    const after = {
      destroyed: client.destroyed,
      readyState: client.readyState,
      pending: client.pending,
      bytesWritten: client.bytesWritten,
      bytesRead: client.bytesRead,
    };
    await close(server);
    return { before, during, after };
  });
});

test('Unix socket properties: address() and remote fields match built-in net', async () => {
  await sameOnBoth(async (net) => {
    const path = pipePath('props');
    const server = net.createServer((s) => s.resume().end());
    await listen(server, path);
    const serverAddress = server.address() === path;
    const client = net.connect(path);
    await new Promise((resolve) => client.on('connect', resolve));
    const info = {
      serverAddress,
      address: client.address(),
      remoteAddress: client.remoteAddress,
      localAddress: client.localAddress,
      remotePort: client.remotePort,
    };
    client.resume();
    await new Promise((resolve) => client.on('close', resolve));
    await close(server);
    return info;
  });
});

test('localAddress and localPort options bind the client end', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.resume().end());
    const { port } = await listen(server, 0, '127.0.0.1');
    const seen = await new Promise((resolve) => {
      const client = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' }, () => {
        resolve(client.localAddress);
        client.destroy();
      });
    });
    await close(server);
    return seen;
  });
});

test('destroy() during connect: no connect event, close(false), no error', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.resume());
    const { port } = await listen(server, 0, '127.0.0.1');
    const log = [];
    await new Promise((resolve) => {
      const client = net.connect(port, '127.0.0.1');
      record(log, 'client', client, CLIENT_EVENTS);
      client.destroy();
      client.on('close', resolve);
    });
    await close(server);
    return log;
  });
});

test('destroy(error) emits error then close(true)', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.resume());
    const { port } = await listen(server, 0, '127.0.0.1');
    const log = [];
    await new Promise((resolve) => {
      const client = net.connect(port, '127.0.0.1', () => {
        client.destroy(new Error('boom'));
      });
      record(log, 'client', client, CLIENT_EVENTS);
      client.on('close', resolve);
    });
    await close(server);
    return log;
  });
});

test('connect timeout option fires the timeout event on an idle connection', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.resume());
    const { port } = await listen(server, 0, '127.0.0.1');
    const log = [];
    await new Promise((resolve) => {
      const client = net.connect({ port, host: '127.0.0.1', timeout: 50 });
      record(log, 'client', client, CLIENT_EVENTS);
      client.on('timeout', () => client.destroy());
      client.on('close', resolve);
    });
    await close(server);
    return log;
  });
});

test('setTimeout() on a destroyed socket is ignored: no timer, no timeout property, no argument check', async () => {
  await sameOnBoth(async (net) => {
    const socket = new net.Socket();
    socket.destroy();
    const log = [];
    socket.on('timeout', () => log.push('timeout event'));
    log.push(socket.setTimeout(1, () => log.push('callback')) === socket, socket.timeout);
    log.push(socket.setTimeout('x') === socket);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return log;
  });
});

test('setTimeout(0) disables an earlier timeout and removes its listener', async () => {
  await sameOnBoth(async (net) => {
    const socket = new net.Socket();
    const onTimeout = () => {};
    socket.setTimeout(1000, onTimeout);
    const before = [socket.timeout, socket.listenerCount('timeout')];
    socket.setTimeout(0, onTimeout);
    const after = [socket.timeout, socket.listenerCount('timeout')];
    socket.destroy();
    return { before, after };
  });
});

test('ref/unref/setNoDelay/setKeepAlive return the socket before and after connect', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.resume().end());
    const { port } = await listen(server, 0, '127.0.0.1');
    const socket = new net.Socket();
    const chained = [
      socket.setNoDelay() === socket,
      socket.setKeepAlive(true, 1000) === socket,
      socket.unref() === socket,
      socket.ref() === socket,
    ];
    await new Promise((resolve) => socket.connect(port, '127.0.0.1', resolve));
    chained.push(socket.setNoDelay(false) === socket, socket.setKeepAlive(false) === socket);
    socket.resume();
    await new Promise((resolve) => socket.on('close', resolve));
    await close(server);
    return chained;
  });
});

test('connect() again while a pipe connect is in flight: no request leaks, the process exits by itself', () => {
  // Built-in net on Node 20 keeps the process alive forever in this case (a
  // connect request reused while in flight); cnet refuses the second connect
  // with EALREADY instead, so this is checked on cnet alone.
  const { spawnSync } = require('child_process');
  const path = require('path');
  const script = `
    const net = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'net.js'))});
    const socket = net.connect('/tmp/cnet-no-such-dir/x.sock');
    socket.on('error', (e) => console.log('error', e.code));
    socket.on('close', () => console.log('close'));
    socket.connect('/tmp/cnet-no-such-dir/y.sock');
  `;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000, killSignal: 'SIGKILL' });
  assert.strictEqual(run.signal, null, 'the process did not exit by itself');
  assert.strictEqual(run.status, 0, run.stderr);
  assert.match(run.stdout, /close/);
});
