'use strict';
// Every ```javascript example of the shared net documentation, run UNCHANGED on built-in net and on
// cnet against local servers, with what each returns (and logs) compared between the two.
//
// The example code is taken from the markdown at test time. The only transformation is that the
// `export` keyword in front of `async function handler` is dropped (a Function body cannot export) and a
// `return` of the declared names is appended; `require('net')` inside the example resolves to the
// implementation under test, `console` to a recorder. No example ever reaches an outside host: every
// event points at 127.0.0.1, and the one example with a hard-coded outside address (Connection Pooling)
// gets a `net` whose createConnection redirects exactly example.com:80 to a local server.
const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { sameOnBoth, errorShape, listen, close, once } = require('./helpers/modules');

const repoRoot = path.join(__dirname, '..');
// The documentation is not the project's to copy: it is read where it lives,
// beside the repository, and these tests are skipped (saying why) where it is not.
const sharedDoc = path.join(repoRoot, '..', 'shared', 'net-doc.md');
const docPath = fs.existsSync(sharedDoc) ? sharedDoc : null;
const skip = docPath ? false : `the net documentation is not at ${sharedDoc}`;

// --- extracting the examples ---

// [{ title, code }] for each ```javascript block, titled by the nearest heading above it.
function extractExamples(markdown) {
  const examples = [];
  let title = null;
  let code = null;
  for (const line of markdown.split('\n')) {
    if (code !== null) {
      if (/^```\s*$/.test(line)) {
        examples.push({ title, code: code.join('\n') });
        code = null;
      } else {
        code.push(line);
      }
      continue;
    }
    const heading = /^#{1,6}\s+(.*?)\s*$/.exec(line);
    if (heading) title = heading[1];
    else if (/^```javascript\s*$/.test(line)) code = [];
  }
  assert.strictEqual(code, null, 'unterminated code block in the documentation');
  return examples;
}

const examples = docPath ? extractExamples(fs.readFileSync(docPath, 'utf8')) : [];
const byTitle = new Map(examples.map((e) => [e.title, e.code]));

// Compiles an example with `net` resolved to `netModule`; returns { handler, net, logs }.
function compile(code, netModule) {
  const logs = [];
  const recorder = {
    log: (...a) => logs.push(a.map(String).join(' ')),
    error: (...a) => logs.push(`error: ${a.map(String).join(' ')}`),
    warn: (...a) => logs.push(`warn: ${a.map(String).join(' ')}`),
  };
  const fakeRequire = (id) => {
    if (id === 'net' || id === 'node:net') return netModule;
    throw new Error(`example requires an unexpected module: ${id}`);
  };
  const body = code.replace(/^export\s+(?=async\s+function\s+handler\b)/m, '');
  const tail = '\nreturn {' +
    ' handler: typeof handler === "function" ? handler : undefined,' +
    ' net: typeof net !== "undefined" ? net : undefined };';
  // eslint-disable-next-line no-new-func
  const run = new Function('require', 'console', body + tail);
  return { ...run(fakeRequire, recorder), logs };
}

// Runs handler(event): { resolved } or { rejected: error shape with ports normalized }.
async function invoke(handler, event) {
  try {
    return { resolved: await handler(event) };
  } catch (err) {
    return { rejected: errorShape(err) };
  }
}

// --- local servers (built with the implementation under test) ---

// Starts a server; each accepted socket gets `onSocket(socket, state)`.
// Returns { port, state, finish() } where finish() waits (bounded) for every accepted socket to close,
// then closes the server, and returns what the server side observed.
async function startServer(net, onSocket) {
  const state = { accepted: 0, events: [], received: [], sockets: [], remotePorts: [] };
  const server = net.createServer((socket) => {
    state.accepted++;
    state.sockets.push(socket);
    state.remotePorts.push(socket.remotePort);
    const id = state.accepted;
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => state.events.push(`s${id}:end`));
    socket.on('error', (e) => state.events.push(`s${id}:error(${e.code})`));
    socket.on('close', () => {
      state.received[id - 1] = Buffer.concat(chunks).toString('latin1');
      state.events.push(`s${id}:close`);
    });
    onSocket(socket, state);
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  return {
    port,
    state,
    async finish() {
      const forced = [];
      await Promise.all(state.sockets.map(async (s, i) => {
        if (!state.events.includes(`s${i + 1}:close`)) {
          const closed = once(s, 'close');
          const timer = new Promise((r) => setTimeout(r, 5000, 'timeout'));
          if ((await Promise.race([closed, timer])) === 'timeout') {
            forced.push(i + 1);
            s.destroy();
            await closed;
          }
        }
      }));
      await close(server);
      return { accepted: state.accepted, events: state.events, received: state.received, forced };
    },
  };
}

// An HTTP-ish responder: after the request's blank line, sends `body` (string or Buffer) and ends.
function httpResponder(body) {
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${payload.length}\r\n` +
    'Connection: close\r\n\r\n';
  return (socket) => {
    let seen = '';
    let answered = false;
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      if (!answered && seen.includes('\r\n\r\n')) {
        answered = true;
        socket.write(head);
        socket.end(payload);
      }
    });
  };
}

const echo = (socket) => socket.on('data', (d) => socket.write(d));
// Reads and never answers; ends its side when the peer ends (the default allowHalfOpen: false).
const hold = () => {};

// A port on 127.0.0.1 with nothing listening (outside the usual ephemeral range, so a connect to it
// cannot be a TCP self-connect).
async function freePorts(count) {
  const builtin = require('net');
  for (let tries = 0; tries < 50; tries++) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    const servers = [];
    let ok = true;
    for (let p = base; p < base + count; p++) {
      const s = builtin.createServer();
      try {
        await listen(s, p, '127.0.0.1');
        servers.push(s);
      } catch {
        ok = false;
        break;
      }
    }
    await Promise.all(servers.map(close));
    if (ok) return base;
  }
  throw new Error('no free range of ports found');
}

// Replaces every occurrence of the given port numbers in strings by names.
function normalizePorts(value, names) {
  if (typeof value === 'string') {
    let out = value;
    for (const [port, name] of names) out = out.split(String(port)).join(name);
    return out;
  }
  if (typeof value === 'number') {
    for (const [port, name] of names) if (value === port) return name;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => normalizePorts(v, names));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizePorts(v, names);
    return out;
  }
  return value;
}

const HTTP_BODY = 'hello from the local test server\n';

// --- the scenarios, one (or more) per documented example ---

const scenarios = {
  'Import': [
    ['binds `net` to the module it requires', async (net) => {
      const compiled = compile(byTitle.get('Import'), net);
      return {
        isTheModule: compiled.net === net,
        handler: typeof compiled.handler,
        createConnection: typeof compiled.net.createConnection,
        createServer: typeof compiled.net.createServer,
        logs: compiled.logs,
      };
    }],
  ],

  'Basic TCP Client': [
    ['GET against a local responder resolves with the whole response', async (net) => {
      const srv = await startServer(net, httpResponder(HTTP_BODY));
      const { handler, logs } = compile(byTitle.get('Basic TCP Client'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port });
      const server = await srv.finish();
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
    ['refused port rejects with ECONNREFUSED', async (net) => {
      const port = await freePorts(1);
      const { handler, logs } = compile(byTitle.get('Basic TCP Client'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port });
      return normalizePorts({ result, logs }, [[port, 'PORT']]);
    }],
  ],

  'TCP Echo Client': [
    ['message echoed back by a local echo server', async (net) => {
      const srv = await startServer(net, echo);
      const { handler, logs } = compile(byTitle.get('TCP Echo Client'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port, message: 'ping ✓ über' });
      const server = await srv.finish();
      // The example logs 'Connection closed' on the client's 'close', after it resolved.
      await waitFor(() => logs.includes('Connection closed'), 5000);
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
  ],

  'TCP Client with Timeout': [
    ['server holding the connection: rejects with the timeout error', async (net) => {
      const srv = await startServer(net, hold);
      const { handler, logs } = compile(byTitle.get('TCP Client with Timeout'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port, timeout: 150 });
      const server = await srv.finish();
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
    ['server answering before the timeout: resolves with the data length', async (net) => {
      const srv = await startServer(net, httpResponder(HTTP_BODY));
      const { handler, logs } = compile(byTitle.get('TCP Client with Timeout'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port, timeout: 10000 });
      const server = await srv.finish();
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
  ],

  'Checking Socket Connection': [
    ['reachable local port', async (net) => {
      const srv = await startServer(net, hold);
      const { handler, logs } = compile(byTitle.get('Checking Socket Connection'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port });
      const server = await srv.finish();
      const r = result.resolved;
      assert.ok(r, `expected a result, got ${JSON.stringify(result)}`);
      assert.match(r.connectTime, /^\d+ms$/);
      r.connectTime = '<N>ms';
      // The example reads localAddress/localPort after destroy(): compared as they are, except that an
      // ephemeral port number is named.
      if (Number.isInteger(r.localPort) && r.localPort === srv.state.remotePorts[0]) r.localPort = '<ephemeral>';
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
    ['refused port: resolves unreachable with the error message', async (net) => {
      const port = await freePorts(1);
      const { handler, logs } = compile(byTitle.get('Checking Socket Connection'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port });
      return normalizePorts({ result, logs }, [[port, 'PORT']]);
    }],
  ],

  'Port Scanner': [
    ['20-port range with exactly one open port', async (net) => {
      const base = await freePorts(20);
      const openPort = base + 7;
      const accepted = [];
      const server = net.createServer((s) => {
        accepted.push(s);
        s.on('error', () => {});
      });
      await listen(server, openPort, '127.0.0.1');
      const { handler, logs } = compile(byTitle.get('Port Scanner'), net);
      const result = await invoke(handler, { host: '127.0.0.1', startPort: base, endPort: base + 19 });
      await Promise.all(accepted.map((s) => (s.closed ? null : once(s, 'close'))));
      await close(server);
      const names = [];
      for (let p = base; p < base + 20; p++) names.push([p, `B+${p - base}`]);
      return normalizePorts({ result, logs }, names);
    }],
  ],

  'TCP Proxy (Simple)': [
    ['write before connect, response read to the end', async (net) => {
      const srv = await startServer(net, httpResponder(HTTP_BODY));
      const { handler, logs } = compile(byTitle.get('TCP Proxy (Simple)'), net);
      const result = await invoke(handler, { targetHost: '127.0.0.1', targetPort: srv.port });
      const server = await srv.finish();
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
  ],

  'Socket Information': [
    ['addresses, family and byte counters at connect', async (net) => {
      const srv = await startServer(net, hold);
      const { handler, logs } = compile(byTitle.get('Socket Information'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port });
      const server = await srv.finish();
      const r = result.resolved;
      assert.ok(r, `expected a result, got ${JSON.stringify(result)}`);
      assert.ok(Number.isInteger(r.localPort) && r.localPort > 0, `localPort ${r.localPort}`);
      assert.strictEqual(srv.state.remotePorts[0], r.localPort);
      r.localPort = '<ephemeral, equal to the server side remotePort>';
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
  ],

  'Connection Pooling': [
    ['pooled connection to example.com:80, redirected to a local responder', async (net) => {
      const srv = await startServer(net, httpResponder(HTTP_BODY));
      // The example hard-codes example.com:80 and we have no outside network. Its `require('net')`
      // gets the implementation under test with createConnection/connect wrapped so that exactly
      // { host: 'example.com', port: 80 } goes to 127.0.0.1:<local port>; anything else throws.
      const redirects = [];
      const created = [];
      const redirect = (original) => function redirected(options, ...rest) {
        if (!options || typeof options !== 'object' || options.host !== 'example.com' || options.port !== 80) {
          throw new Error(`unexpected connection target ${JSON.stringify(options)}`);
        }
        redirects.push(`${options.host}:${options.port}`);
        const socket = original.call(net, { ...options, host: '127.0.0.1', port: srv.port }, ...rest);
        created.push(socket);
        return socket;
      };
      const wrapped = Object.create(net, {
        createConnection: { value: redirect(net.createConnection) },
        connect: { value: redirect(net.connect) },
      });
      const { handler, logs } = compile(byTitle.get('Connection Pooling'), wrapped);
      const result = await invoke(handler, {});
      // The released socket stays in the pool; with allowHalfOpen false it ends its side and closes.
      await Promise.all(created.map((s) => (s.closed ? null : once(s, 'close'))));
      const server = await srv.finish();
      const client = created.map((s) => ({ destroyed: s.destroyed, readyState: s.readyState }));
      return normalizePorts({ result, logs, redirects, client, server }, [[srv.port, 'PORT']]);
    }],
  ],

  'TCP Keep-Alive': [
    ['setKeepAlive before connect, then connect to a local server', async (net) => {
      const srv = await startServer(net, hold);
      const { handler, logs } = compile(byTitle.get('TCP Keep-Alive'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port });
      const server = await srv.finish();
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
  ],

  'Socket Pausing and Resuming': [
    ['1 MiB response arrives whole, never emitted while paused', async (net) => {
      const body = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < body.length; i++) body[i] = 0x41 + ((i * 7 + (i >> 10)) % 26);
      const srv = await startServer(net, httpResponder(body));
      // Observe the example's socket (without changing its flow): everything it emits, and whether a
      // 'data' event comes while the socket is paused.
      const seen = { hash: crypto.createHash('sha256'), bytes: 0, dataWhilePaused: 0, sockets: 0 };
      const observed = Object.create(net, {
        createConnection: {
          value(...a) {
            const socket = net.createConnection(...a);
            seen.sockets++;
            socket.on('data', (d) => {
              if (socket.isPaused()) seen.dataWhilePaused++;
              seen.hash.update(d);
              seen.bytes += d.length;
            });
            return socket;
          },
        },
      });
      const { handler, logs } = compile(byTitle.get('Socket Pausing and Resuming'), observed);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port });
      const server = await srv.finish();
      const r = result.resolved;
      assert.ok(r, `expected a result, got ${JSON.stringify(result)}`);
      assert.ok(r.chunksReceived >= 1, `chunksReceived ${r.chunksReceived}`);
      r.chunksReceived = '<how the kernel split it>';
      const head = r.preview.slice(0, r.preview.indexOf('\r\n\r\n') + 4);
      const expected = crypto.createHash('sha256').update(head).update(body).digest('hex');
      return normalizePorts({
        result,
        logs,
        server,
        socketsCreated: seen.sockets,
        dataWhilePaused: seen.dataWhilePaused,
        bytesSeen: seen.bytes,
        wholeAndInOrder: seen.hash.digest('hex') === expected,
        totalIsHeadPlusBody: r.totalBytes === head.length + body.length,
      }, [[srv.port, 'PORT']]);
    }],
  ],

  'Binary Protocol Communication': [
    ['binary echo: parsed values of the echoed frame', async (net) => {
      const srv = await startServer(net, echo);
      const { handler, logs } = compile(byTitle.get('Binary Protocol Communication'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port: srv.port });
      const server = await srv.finish();
      assert.deepStrictEqual(result.resolved, { byte0: 0x12, byte1: 0x34, uint16: 0x1234, uint32: 0x56789abc });
      return normalizePorts({ result, logs, server }, [[srv.port, 'PORT']]);
    }],
    ['refused port: resolves with the error note', async (net) => {
      const port = await freePorts(1);
      const { handler, logs } = compile(byTitle.get('Binary Protocol Communication'), net);
      const result = await invoke(handler, { host: '127.0.0.1', port });
      return normalizePorts({ result, logs }, [[port, 'PORT']]);
    }],
  ],
};

function waitFor(predicate, ms) {
  return new Promise((resolve) => {
    const started = Date.now();
    (function poll() {
      if (predicate() || Date.now() - started > ms) resolve();
      else setTimeout(poll, 5);
    })();
  });
}

test('the documentation has the expected javascript examples, each covered here', { skip }, () => {
  const titles = examples.map((e) => e.title);
  assert.ok(examples.length >= 12, `found ${examples.length} examples in ${docPath}`);
  assert.strictEqual(new Set(titles).size, titles.length, 'duplicate example titles');
  assert.deepStrictEqual([...titles].sort(), Object.keys(scenarios).sort());
  for (const { title, code } of examples) {
    if (title === 'Import') continue;
    assert.match(code, /^export async function handler\(event\)/m, `${title}: no exported handler`);
  }
});

for (const [title, cases] of Object.entries(scenarios)) {
  test(`documented example "${title}"`, { timeout: 60000, skip }, async (t) => {
    assert.ok(byTitle.has(title), `example "${title}" is not in ${docPath}`);
    for (const [name, scenario] of cases) {
      await t.test(`${name} (same on net and cnet)`, async () => {
        const seen = await sameOnBoth(scenario);
        if (process.env.CNET_TEST_SHOW) t.diagnostic(JSON.stringify(seen));
      });
    }
  });
}
