'use strict';
// cnet sockets with the stream utilities around them: stream.pipeline to and from files,
// Duplex.from() and stream.compose(), compared with built-in net. (pipe(), pipeline with a
// Transform and for await are in socket.stream.test.js.)
const test = require('node:test');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const stream = require('stream');
const { sameOnBoth, listen, close, once } = require('./helpers/modules');

const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
let fileCounter = 0;
const tempFile = (tag) => path.join(os.tmpdir(), `cnet-interop-${process.pid}-${tag}-${fileCounter++}`);

// 3 MiB of pseudo-random bytes: many reads and writes, and backpressure on the way.
function payloadFile() {
  const file = tempFile('src');
  fs.writeFileSync(file, crypto.createHash('sha512').update('seed').digest().toString('hex').repeat(24 * 1024));
  return file;
}

const upperCase = () => new stream.Transform({
  transform(chunk, encoding, cb) { cb(null, chunk.toString('latin1').toUpperCase()); },
});

async function echoServer(net) {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
  const { port } = await listen(server, 0, '127.0.0.1');
  return { server, port };
}

test('stream.pipeline: file -> client socket -> server socket -> file, and back the other way', { timeout: 30000 }, async () => {
  const source = payloadFile();
  try {
    await sameOnBoth(async (net) => {
      const results = {};
      for (const direction of ['client sends', 'server sends']) {
        const target = tempFile('dst');
        let serverDone;
        const server = net.createServer((socket) => {
          serverDone = direction === 'client sends'
            ? stream.promises.pipeline(socket, fs.createWriteStream(target))
            : stream.promises.pipeline(fs.createReadStream(source), socket);
        });
        const { port } = await listen(server, 0, '127.0.0.1');
        const client = net.connect(port, '127.0.0.1');
        const clientDone = direction === 'client sends'
          ? stream.promises.pipeline(fs.createReadStream(source), client)
          : stream.promises.pipeline(client, fs.createWriteStream(target));
        const outcome = await Promise.all([clientDone, once(server, 'connection').then(() => serverDone)])
          .then(() => 'ok', (err) => err.code);
        await close(server);
        const copy = fs.readFileSync(target);
        fs.rmSync(target);
        results[direction] = { outcome, bytes: copy.length, intact: sha(copy) === sha(fs.readFileSync(source)) };
      }
      return results;
    });
  } finally {
    fs.rmSync(source);
  }
});

test('Duplex.from(socket) is the socket itself; Duplex.from({ readable, writable }) joins two sockets', { timeout: 30000 }, async () => {
  await sameOnBoth(async (net) => {
    const { server, port } = await echoServer(net);
    const a = net.connect(port, '127.0.0.1');
    const b = net.connect(port, '127.0.0.1');
    await Promise.all([once(a, 'connect'), once(b, 'connect')]);
    const same = stream.Duplex.from(a) === a;
    // Written into the joined duplex goes out on a; read from it comes back on b.
    const joined = stream.Duplex.from({ readable: b, writable: a });
    const echoedOnA = [];
    a.on('data', (d) => echoedOnA.push(String(d)));
    const fromB = [];
    joined.on('data', (d) => fromB.push(String(d)));
    joined.write('to a;');
    await once(a, 'data');
    b.end('to b;');
    await once(joined, 'end');
    joined.end();
    await Promise.all([once(a, 'close'), once(b, 'close')]);
    await close(server);
    return { same, echoedOnA: echoedOnA.join(''), fromB: fromB.join(''), joinedIsDuplex: joined instanceof stream.Duplex };
  });
});

for (const order of ['compose(transform, socket)', 'compose(socket, transform)']) {
  test(`stream.${order}: data goes through both, end and close reach the socket`, { timeout: 30000 }, async () => {
    await sameOnBoth(async (net) => {
      const { server, port } = await echoServer(net);
      const socket = net.connect(port, '127.0.0.1');
      const events = [];
      for (const event of ['connect', 'end', 'finish', 'close']) socket.on(event, () => events.push(event));
      const composed = order === 'compose(transform, socket)'
        ? stream.compose(upperCase(), socket)
        : stream.compose(socket, upperCase());
      const received = [];
      composed.on('data', (d) => received.push(String(d)));
      const ended = once(composed, 'end');
      composed.write('hello ');
      composed.end('world');
      await ended;
      await once(socket, 'close');
      await close(server);
      return { received: received.join(''), events, destroyed: socket.destroyed };
    });
  });
}
