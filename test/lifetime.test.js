'use strict';
// What keeps a process (or a worker) alive and when things close: ref/unref of servers and sockets,
// server.close() waiting for its connections, and workers ending with cnet traffic in flight.
// Process lifetime is observed in child processes (bounded by a kill timeout); each child runs once with
// built-in net and once with cnet and the two are compared.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { spawn } = require('child_process');
const { sameOnBoth, listen, close, once, pipePath, record, errorShape } =
  require('./helpers/modules');

const cnetPath = path.join(__dirname, '..', 'lib', 'net.js');
const CHILD_LIMIT_MS = 20000;

// Runs `node -e source` (or a file) with IMPL naming the implementation; resolves with how it ended.
function runChild(implName, argv, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      env: { ...process.env, ...env, IMPL: implName === 'net' ? 'net' : cnetPath },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_LIMIT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// The child's lines, and its exit; stderr must be empty.
async function childOutcome(implName, source, env) {
  const { code, signal, stdout, stderr } = await runChild(implName, ['-e', source], env);
  return { code, signal, lines: stdout.split('\n').filter(Boolean), stderr };
}

// Each child prints 'kept alive' from an unref'd timer only if something else keeps its loop running,
// then closes what it opened so that it still exits.
const prelude = `
  const net = require(process.env.IMPL);
  const say = (s) => process.stdout.write(s + '\\n');
  function keptAliveProbe(cleanup) {
    setTimeout(() => { say('kept alive'); cleanup(); }, 300).unref();
  }
`;

const unrefCases = {
  'a listening server': `
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      say('listening');
      if (process.env.UNREF) { const r = server.unref(); say('unref returns the server: ' + (r === server)); }
      keptAliveProbe(() => server.close());
    });
  `,
  'a server, called before listen()': `
    const server = net.createServer();
    if (process.env.UNREF) server.unref();
    server.listen(0, '127.0.0.1', () => {
      say('listening');
      keptAliveProbe(() => server.close());
    });
  `,
  'a listening Unix-socket server': `
    const path = require('path').join(require('os').tmpdir(), 'cnet-unref-' + process.pid + '.sock');
    const server = net.createServer();
    server.listen(path, () => {
      say('listening');
      if (process.env.UNREF) server.unref();
      keptAliveProbe(() => server.close());
    });
    process.on('exit', () => { try { require('fs').unlinkSync(path); } catch {} });
  `,
  'a connected client socket (server in the parent)': `
    const socket = net.connect(+process.env.PORT, '127.0.0.1', () => {
      say('connected');
      if (process.env.UNREF) { const r = socket.unref(); say('unref returns the socket: ' + (r === socket)); }
      keptAliveProbe(() => socket.destroy());
    });
    socket.on('data', (d) => say('data ' + d));
  `,
  'a client socket, called before connect() (the connect itself still completes)': `
    const socket = new net.Socket();
    if (process.env.UNREF) socket.unref();
    socket.connect(+process.env.PORT, '127.0.0.1', () => {
      say('connected');
      keptAliveProbe(() => socket.destroy());
    });
  `,
  'both ends of a connection and their server, all in the child': `
    const server = net.createServer((s) => { if (process.env.UNREF) s.unref(); s.write('hi'); });
    server.listen(0, '127.0.0.1', () => {
      if (process.env.UNREF) server.unref();
      const socket = net.connect(server.address().port, '127.0.0.1');
      socket.on('data', (d) => {
        say('data ' + d);
        if (process.env.UNREF) socket.unref();
        keptAliveProbe(() => { socket.destroy(); server.close(); });
      });
      server.on('connection', (s) => s.on('error', () => {}));
    });
  `,
};

const unrefThenRef = `
  const socket = net.connect(+process.env.PORT, '127.0.0.1', () => {
    say('connected');
    const r = socket.unref().ref();
    say('ref returns the socket: ' + (r === socket));
    keptAliveProbe(() => socket.destroy());
  });
`;

// A server in this process for the children to connect to.
async function parentServer() {
  const server = require('net').createServer((s) => {
    s.on('error', () => {});
    s.resume();
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  return { server, port };
}

for (const [what, body] of Object.entries(unrefCases)) {
  test(`unref() on ${what} lets the process exit (code 0); without it the process is kept alive`,
    { timeout: 4 * CHILD_LIMIT_MS }, async () => {
      const { server, port } = await parentServer();
      try {
        const seen = await sameOnBoth(async (net, name) => ({
          unref: await childOutcome(name, prelude + body, { UNREF: '1', PORT: String(port) }),
          ref: await childOutcome(name, prelude + body, { PORT: String(port) }),
        }));
        assert.strictEqual(seen.unref.code, 0);
        assert.strictEqual(seen.unref.signal, null);
        assert.ok(!seen.unref.lines.includes('kept alive'), 'unref()ed: nothing may keep the loop running');
        assert.strictEqual(seen.ref.code, 0);
        assert.ok(seen.ref.lines.includes('kept alive'), 'control: a ref()ed handle keeps the loop running');
      } finally {
        await close(server);
      }
    });
}

test('unref() then ref() again keeps the process alive as before', { timeout: 4 * CHILD_LIMIT_MS }, async () => {
  const { server, port } = await parentServer();
  try {
    const seen = await sameOnBoth(async (net, name) => childOutcome(name, prelude + unrefThenRef, { PORT: String(port) }));
    assert.strictEqual(seen.code, 0);
    assert.ok(seen.lines.includes('kept alive'));
  } finally {
    await close(server);
  }
});

// Everything of the module unref()ed while a timer keeps the process up: the sockets still get their
// events (on a private loop, a run of a loop with nothing ref'ed used to skip polling, so the 'end'
// never came and the loop's watcher spun).
const unrefedTraffic = `
  const net = require(process.env.IMPL);
  const log = [];
  const server = net.createServer((s) => {
    s.unref();
    setTimeout(() => s.end('hello'), 100);
  });
  server.listen(0, '127.0.0.1', () => {
    server.unref();
    const c = net.connect(server.address().port, '127.0.0.1', () => c.unref());
    c.on('data', (d) => log.push('data ' + d));
    c.on('end', () => log.push('end'));
    c.on('close', () => log.push('close'));
    setTimeout(() => { console.log(log.join('|')); }, 1000);
  });
`;

test('unref()ed server and sockets still receive data and end while something else keeps the process alive',
  { timeout: 4 * CHILD_LIMIT_MS }, async () => {
    const seen = await sameOnBoth(async (net, name) => childOutcome(name, unrefedTraffic));
    assert.strictEqual(seen.code, 0);
    assert.deepStrictEqual(seen.lines, ['data hello|end|close']);
  });

for (const transport of ['tcp', 'unix']) {
  test(`server.close() waits for its connections: 'close' only once the last connection is torn down (${transport})`,
    { timeout: 30000 }, async () => { await sameOnBoth(async (net) => {
      const log = [];
      const accepted = [];
      const server = net.createServer((s) => {
        const id = accepted.length + 1;
        accepted.push(s);
        s.resume();
        record(log, `s${id}`, s, ['end', 'close']);
      });
      const address = transport === 'unix' ? pipePath('close') : null;
      const target = transport === 'unix'
        ? { path: address }
        : { host: '127.0.0.1', port: (await listen(server, 0, '127.0.0.1')).port };
      if (transport === 'unix') await listen(server, address);
      record(log, 'server', server, ['close']);

      const c1 = net.connect(target);
      const c2 = net.connect(target);
      const c1Closed = once(c1, 'close');
      const c2Closed = once(c2, 'close');
      await Promise.all([once(c1, 'connect'), once(c2, 'connect')]);
      while (accepted.length < 2) await once(server, 'connection');
      const s1Closed = once(accepted[0], 'close');
      const s2Closed = once(accepted[1], 'close');

      const serverClosed = new Promise((resolve) => {
        const r = server.close((err) => { log.push(`close-callback(${err ? err.code : ''})`); resolve(); });
        log.push(`close() returns the server: ${r === server}`);
      });
      log.push(`listening after close(): ${server.listening}`);
      const count = await new Promise((r) => server.getConnections((err, n) => r(err ? err.code : n)));
      log.push(`connections: ${count}`);

      // A new connection is refused once close() was called, though the server has not closed yet.
      const late = net.connect(target);
      const lateErr = await once(late, 'error');
      log.push(`late connect: ${lateErr[0].code}`);

      // The existing connections still carry data both ways.
      accepted[0].write('still open');
      const [data] = await once(c1, 'data');
      log.push(`c1 got: ${data}`);

      c1.end();
      await Promise.all([c1Closed, s1Closed]);
      log.push('first connection closed');
      c2.end();
      await Promise.all([c2Closed, s2Closed, serverClosed]);

      // Closing a closed server reports ERR_SERVER_NOT_RUNNING to the callback.
      const again = await new Promise((r) => server.close((err) => r(errorShape(err))));
      return { log, again };
    }); });
}

for (const transport of ['tcp', 'unix']) {
  test(`server.address() while listening, after close() and after 'close' (${transport})`, { timeout: 30000 },
    async () => { await sameOnBoth(async (net) => {
      const server = net.createServer((s) => s.resume());
      const where = transport === 'unix' ? pipePath('addr') : 0;
      const listened = transport === 'unix' ? await listen(server, where) : await listen(server, where, '127.0.0.1');
      const client = net.connect(transport === 'unix' ? { path: where } : { port: listened.port, host: '127.0.0.1' });
      const clientClosed = once(client, 'close');
      await once(client, 'connect');
      const name = (a) => (a && typeof a === 'object' ? { ...a, port: a.port === listened.port ? 'PORT' : a.port }
        : a === where ? 'PATH' : a);
      const seen = { listening: name(server.address()) };
      const closed = close(server);
      // Still waiting for the open connection.
      seen.afterCloseCall = name(server.address());
      client.end();
      await clientClosed;
      await closed;
      seen.afterClose = name(server.address());
      return seen;
    }); });
}

test('server.close() with no connections closes at once; close callback after the close event',
  { timeout: 30000 }, async () => { await sameOnBoth(async (net) => {
    const log = [];
    const server = net.createServer();
    await listen(server, 0, '127.0.0.1');
    record(log, 'server', server, ['close']);
    await new Promise((resolve) => server.close((err) => { log.push(`callback(${err ? err.code : ''})`); resolve(); }));
    return log;
  }); });

// Deno (2.9) keeps a terminated worker's loop running while an addon's ref'ed
// host handle (cnet's wake-up for its private loop) is alive, and calls no env
// cleanup hook that could close it: JS is gone, events keep coming, the worker
// never ends. A worker that closes its sockets and ends naturally is fine.
const denoWorkerExit = Boolean(process.versions.deno)
  && "on Deno a worker ended by process.exit(), terminate() or a throw while cnet sockets are open never exits (Deno runs no cleanup hook while the addon's wake-up handle is ref'ed)";

test('workers using the implementation with traffic in flight end (process.exit, terminate(), throw, natural)'
  + ' and the main thread is unharmed', { timeout: 4 * CHILD_LIMIT_MS, skip: denoWorkerExit }, async () => {
  const script = path.join(__dirname, 'fixtures', 'lifetime', 'workers.js');
  for (const order of ['main-first', 'worker-first']) {
    const seen = await sameOnBoth(async (net, name) => {
      const impl = name === 'net' ? 'net' : cnetPath;
      const flags = process.versions.bun ? [] : ['--expose-gc'];
      const { code, signal, stdout, stderr } = await runChild(name, [...flags, script, impl, order]);
      let report = null;
      try {
        report = JSON.parse(stdout);
      } catch {
        report = stdout;
      }
      return { code, signal, stderr, report };
    });
    assert.strictEqual(seen.code, 0);
    assert.strictEqual(seen.signal, null);
    assert.strictEqual(seen.report.after, 'main thread still works');
    const all = [...seen.report.sequential, ...seen.report.concurrent];
    assert.ok(all.every((w) => w.messages[0] === 'flowing'), 'every worker had traffic in flight');
  }
});

test('after workers ended, this process still uses cnet', { timeout: 30000, skip: denoWorkerExit }, async () => {
  // The same in-process: a worker that exits mid-traffic, then cnet here.
  const { Worker } = require('worker_threads');
  const worker = new Worker(path.join(__dirname, 'fixtures', 'lifetime', 'worker-traffic.js'), {
    workerData: { impl: cnetPath, mode: 'exit', transport: 'tcp' },
  });
  const [code] = await once(worker, 'exit');
  assert.strictEqual(code, 0);
  const { cnet } = require('./helpers/modules');
  const server = cnet.createServer((s) => s.pipe(s));
  const { port } = await listen(server, 0, '127.0.0.1');
  const client = cnet.connect(port, '127.0.0.1');
  const chunks = [];
  client.on('data', (d) => chunks.push(d));
  client.end('ping');
  await once(client, 'close');
  await close(server);
  assert.strictEqual(Buffer.concat(chunks).toString(), 'ping');
});
