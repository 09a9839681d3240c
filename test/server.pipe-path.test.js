'use strict';
// Unix socket names: paths up to and beyond sun_path's 108 bytes, and Linux
// abstract names ('\0name'), for listen() and connect(), compared with built-in
// net (Node 20 cuts a path that is too long to fit; Node 24 refuses it).
const test = require('node:test');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { sameOnBoth, errorShape, listen, close } = require('./helpers/modules');

const SUN_PATH_SIZE = 108;
let counter = 0;

// A path of exactly `length` bytes in a fresh directory, which is removed afterwards.
async function withPathOfLength(length, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnet-'));
  const prefix = path.join(dir, `${counter++}-`);
  try {
    return await fn(prefix + 'x'.repeat(length - prefix.length), dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function abstractName(tag) {
  return `\0cnet-test-${process.pid}-${tag}-${counter++}`;
}

// listen(name), then a client says hello and reads the answer; what each step gave.
async function listenAndConnect(net, name) {
  const seen = {};
  const server = net.createServer((socket) => {
    seen.serverSocket = { remoteAddress: socket.remoteAddress, address: socket.address() };
    socket.end('hello');
  });
  try {
    seen.address = await listen(server, name);
  } catch (err) {
    seen.listenError = errorShape(err);
  }
  seen.connect = await new Promise((resolve) => {
    const client = net.connect(name);
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (d) => { text += d; });
    client.on('error', (err) => resolve({ error: errorShape(err) }));
    client.on('close', () => resolve({ text, remoteAddress: client.remoteAddress }));
  });
  if (server.listening) await close(server);
  return seen;
}

for (const length of [SUN_PATH_SIZE - 1, SUN_PATH_SIZE]) {
  test(`a path of ${length} bytes (sun_path holds ${SUN_PATH_SIZE}) works for listen and connect, as built-in net`, async () => {
    await sameOnBoth((net) => withPathOfLength(length, async (name, dir) => {
      const seen = await listenAndConnect(net, name);
      return { ...seen, address: seen.address === name, leftInDir: fs.readdirSync(dir).length };
    }));
  });
}

for (const length of [SUN_PATH_SIZE + 1, 200, 10000]) {
  test(`a path of ${length} bytes, longer than sun_path: listen and connect as built-in net (Node 24 refuses, Node 20 cuts it)`, async () => {
    await sameOnBoth((net) => withPathOfLength(length, async (name) => {
      const seen = await listenAndConnect(net, name);
      const listenError = seen.listenError && { ...seen.listenError, message: seen.listenError.message.replace(name, '<path>'), address: '<path>' };
      const connect = seen.connect.error
        ? { error: { ...seen.connect.error, message: seen.connect.error.message.replace(name, '<path>'), address: '<path>' } }
        : seen.connect;
      return { listenError, listened: seen.address === name, connect, fileAtPath: fs.existsSync(name) };
    }));
  });
}

test('an abstract name: listen, connect and address() as built-in net', async () => {
  await sameOnBoth(async (net) => {
    const name = abstractName('one');
    const seen = await listenAndConnect(net, name);
    return { ...seen, address: seen.address === name };
  });
});

test('two abstract names listen side by side, each reached by its own client, as built-in net', async () => {
  await sameOnBoth(async (net) => {
    const names = [abstractName('a'), abstractName('b')];
    const servers = names.map((name, i) => net.createServer((socket) => socket.end(`server ${i}`)));
    await Promise.all(servers.map((server, i) => listen(server, names[i])));
    const answers = await Promise.all(names.map((name) => new Promise((resolve, reject) => {
      const client = net.connect(name);
      let text = '';
      client.setEncoding('utf8');
      client.on('data', (d) => { text += d; });
      client.on('error', reject);
      client.on('close', () => resolve(text));
    })));
    await Promise.all(servers.map(close));
    return answers;
  });
});

test('an abstract name already in use: EADDRINUSE, and a name nobody listens on: ECONNREFUSED, as built-in net', async () => {
  await sameOnBoth(async (net) => {
    const name = abstractName('busy');
    const first = net.createServer();
    await listen(first, name);
    const second = net.createServer();
    const inUse = await listen(second, name).then(() => 'listening', (err) => errorShape(err));
    await close(first);
    const refused = await new Promise((resolve) => {
      const client = net.connect(abstractName('nobody'));
      client.on('error', (err) => resolve(errorShape(err)));
      client.on('connect', () => resolve('connected'));
    });
    const strip = (shape) => ({ ...shape, message: shape.message.replace(/\0cnet-test-\d+-\w+-\d+/, '<name>'), address: '<name>' });
    return { inUse: strip(inUse), refused: strip(refused) };
  });
});

test('readableAll or writableAll with an abstract name throws (no file to chmod), as built-in net', async () => {
  await sameOnBoth((net) => [{ readableAll: true }, { writableAll: true }, { readableAll: true, writableAll: true }].map((modes) => {
    const server = net.createServer();
    try {
      server.listen({ path: '\0cnet-test-abstract-mode', ...modes });
      server.close();
      return 'listening';
    } catch (err) {
      return errorShape(err);
    }
  }));
});
