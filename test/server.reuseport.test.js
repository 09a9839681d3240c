'use strict';
// listen({ reusePort }) and listen({ exclusive }): several listeners on one port,
// in one process and across two, compared with built-in net where it has reusePort.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { spawn } = require('child_process');
const {
  sameOnBoth, sameAsNode24, listen, close, errorShape,
} = require('./helpers/modules');
const { jsonLines } = require('./helpers/json-lines');
const { runJsonFixture } = require('./helpers/child-args');

// reusePort came to built-in net in Node 22.12 and 23.1.
const [major, minor] = process.versions.node.split('.').map(Number);
const builtinHasReusePort = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
const CONNECTIONS = 40;
const cnetPath = path.join(__dirname, '..', 'lib', 'net.js');

// Opens `count` connections one after another and waits until each has closed.
async function connectMany(net, port, count) {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => {
      const client = net.connect(port, '127.0.0.1');
      client.on('error', () => {});
      client.on('close', resolve);
      client.resume();
    });
  }
}

function countingServer(net) {
  const server = net.createServer((socket) => {
    server.accepted++;
    socket.end();
  });
  server.accepted = 0;
  return server;
}

for (const host of ['127.0.0.1', undefined]) {
  test(`reusePort: two servers in one process share a port${host ? ` on ${host}` : ' (no host)'} and both get connections`, async () => {
    await sameAsNode24(builtinHasReusePort, async (net) => {
      const first = countingServer(net);
      const second = countingServer(net);
      const { port } = await listen(first, { port: 0, host, reusePort: true });
      try {
        await listen(second, { port, host, reusePort: true });
        await connectMany(net, port, CONNECTIONS);
      } finally {
        first.close();
        second.close();
      }
      return {
        total: first.accepted + second.accepted,
        bothGotSome: first.accepted > 0 && second.accepted > 0,
      };
    }, { total: CONNECTIONS, bothGotSome: true });
  });
}

test('reusePort: a server in another process shares the port and gets connections too', { timeout: 30000 }, async () => {
  await sameAsNode24(builtinHasReusePort, async (net, name) => {
    const server = countingServer(net);
    const { port } = await listen(server, { port: 0, host: '127.0.0.1', reusePort: true });
    const fixture = path.join(__dirname, 'fixtures', 'reuseport', 'server.js');
    const child = spawn(process.execPath, [fixture, name === 'net' ? 'net' : cnetPath, String(port)],
      { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = jsonLines(child);
    let ready;
    let report;
    try {
      ready = await lines.next();
      await connectMany(net, port, CONNECTIONS);
      child.stdin.end();
      report = await lines.next();
    } finally {
      child.kill();
      server.close();
    }
    return {
      childListened: ready,
      total: server.accepted + report.accepted,
      bothGotSome: server.accepted > 0 && report.accepted > 0,
    };
  }, { childListened: { listening: true }, total: CONNECTIONS, bothGotSome: true });
});

test('without reusePort a second listen on the port fails with EADDRINUSE', async () => {
  await sameOnBoth(async (net) => {
    const first = net.createServer();
    const { port } = await listen(first, { port: 0, host: '127.0.0.1' });
    const shapes = [];
    for (const options of [{}, { reusePort: false }]) {
      const second = net.createServer();
      const err = await listen(second, { port, host: '127.0.0.1', ...options }).then(() => null, (e) => e);
      const shape = errorShape(err);
      shape.message = shape.message.replace(String(port), 'PORT');
      shape.port = shape.port === port ? 'PORT' : shape.port;
      shapes.push({ shape, listening: second.listening });
    }
    await close(first);
    return shapes;
  });
});

test('reusePort on the first listener only: the second, without it, still gets EADDRINUSE', async () => {
  await sameAsNode24(builtinHasReusePort, async (net) => {
    const first = net.createServer();
    const { port } = await listen(first, { port: 0, host: '127.0.0.1', reusePort: true });
    const second = net.createServer();
    const err = await listen(second, { port, host: '127.0.0.1' }).then(() => null, (e) => e);
    await close(first);
    return err && err.code;
  }, 'EADDRINUSE');
});

test('exclusive is accepted with any value and the server listens as usual', async () => {
  await sameOnBoth(async (net) => {
    const seen = [];
    for (const exclusive of [true, false, 'yes', 0, undefined]) {
      const server = net.createServer((s) => s.end('hi'));
      const address = await listen(server, { port: 0, host: '127.0.0.1', exclusive });
      const text = await new Promise((resolve) => {
        let data = '';
        const client = net.connect(address.port, '127.0.0.1');
        client.setEncoding('utf8');
        client.on('data', (d) => { data += d; });
        client.on('close', () => resolve(data));
      });
      await close(server);
      seen.push({ family: address.family, listening: server.listening, text });
    }
    const path = require('path').join(require('os').tmpdir(), `cnet-exclusive-${process.pid}.sock`);
    const pipeServer = net.createServer();
    await listen(pipeServer, { path, exclusive: true });
    seen.push({ pipe: pipeServer.address() === path });
    await close(pipeServer);
    return seen;
  });
});

test('reusePort is passed over for a path (Unix socket) listen', async () => {
  await sameOnBoth(async (net) => {
    const path = require('path').join(require('os').tmpdir(), `cnet-reuseport-${process.pid}.sock`);
    const server = net.createServer();
    await listen(server, { path, reusePort: true });
    const same = server.address() === path;
    await close(server);
    return same;
  });
});

// One server per worker thread, each listening with reusePort on one port: the
// kernel spreads connections over the threads (test/fixtures/reuseport/threads.js).
test('reusePort across two worker threads: both threads accept, 40 of 40 answered, as Node 24\'s net',
  { timeout: 60000 }, async () => {
    const fixture = path.join(__dirname, 'fixtures', 'reuseport', 'threads.js');
    await sameAsNode24(builtinHasReusePort, async (net, label) => {
      const { which, ...seen } = await runJsonFixture([], fixture, [label]);
      assert.strictEqual(which, label);
      return seen;
    }, { listenErrors: [], answered: CONNECTIONS, threads: 2 });
  });
