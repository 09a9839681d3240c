'use strict';
// Read chunks are Buffers that keep their bytes: cnet hands small reads to JS as views of a
// shared pool, large ones in the very buffer the kernel filled, and mid-sized ones as copies.
// A reader that keeps every chunk until the end (as Buffer.concat users do) must find each one
// unchanged by the reads that came after it, whatever the sizes, as with built-in net.
const test = require('node:test');
const { sameOnBoth, listen, close, once, delay, pattern, sha } = require('./helpers/modules');

// Writes of every size class, each with its own byte pattern, some with pauses so that reads
// of about their size happen.
const SIZES = [1, 100, 8191, 8193, 20000, 32767, 32768, 40000, 65536, 70000, 1 << 20, 10];

test('kept read chunks of every size stay intact until the end, and are Buffers', { timeout: 30000 },
  async () => { await sameOnBoth(async (net) => {
    const payloads = SIZES.map((size, i) => pattern(size, i + 1));
    const server = net.createServer(async (socket) => {
      for (const payload of payloads) {
        if (!socket.write(payload)) await once(socket, 'drain');
        await delay(5);
      }
      socket.end();
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    const chunks = [];
    const snapshots = [];
    client.on('data', (chunk) => {
      chunks.push(chunk);
      snapshots.push(sha(chunk));
    });
    await once(client, 'end');
    await once(client, 'close');
    await close(server);
    const expected = Buffer.concat(payloads);
    const received = Buffer.concat(chunks);
    return {
      allBuffers: chunks.every((c) => Buffer.isBuffer(c)),
      unchanged: chunks.every((c, i) => sha(c) === snapshots[i]),
      length: received.length,
      sameBytes: received.equals(expected),
      digest: sha(received),
    };
  }); });
