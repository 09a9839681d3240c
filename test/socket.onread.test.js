'use strict';
// The `onread` option: reads land in the caller's buffer and go to its
// callback instead of 'data', compared with built-in net.
const test = require('node:test');
const { sameOnBoth, listen, close, once, delay } = require('./helpers/modules');

// A server that sends `payload` to each client once it is told to, then ends.
async function sender(net, payload) {
  const server = net.createServer((socket) => {
    socket.on('data', () => socket.end(payload));
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  return { server, port };
}

function connectWith(net, port, onread) {
  const client = net.connect({ port, host: '127.0.0.1', onread });
  client.on('connect', () => client.write('go'));
  return client;
}

test('onread with a static buffer: every byte passes through it, no data event, then end and close', async () => {
  await sameOnBoth(async (net) => {
    const payload = Buffer.from('0123456789'.repeat(30));
    const { server, port } = await sender(net, payload);
    const buffer = Buffer.alloc(16);
    const received = [];
    let sameBuffer = true;
    let maxRead = 0;
    const log = [];
    const client = connectWith(net, port, {
      buffer,
      callback(nread, buf) {
        if (buf !== buffer) sameBuffer = false;
        if (this !== client) log.push('callback this is not the socket');
        maxRead = Math.max(maxRead, nread);
        received.push(Buffer.from(buf.subarray(0, nread)));
      },
    });
    client.on('data', () => log.push('data'));
    client.on('end', () => log.push('end'));
    client.on('close', (hadError) => log.push(`close ${hadError}`));
    await once(client, 'close');
    await close(server);
    return {
      log,
      sameBuffer,
      maxReadAtMostBuffer: maxRead <= buffer.length,
      text: Buffer.concat(received).toString(),
      bytesRead: client.bytesRead,
    };
  });
});

test('onread with a buffer function: called once for the handle and once after each read', async () => {
  await sameOnBoth(async (net) => {
    const payload = Buffer.alloc(1000, 'a');
    const { server, port } = await sender(net, payload);
    let made = 0;
    let reads = 0;
    let bytes = 0;
    let freshEachTime = true;
    let last = null;
    const client = connectWith(net, port, {
      buffer() {
        made++;
        last = Buffer.alloc(64);
        return last;
      },
      callback(nread, buf) {
        if (buf !== last) freshEachTime = false;
        reads++;
        bytes += nread;
      },
    });
    await once(client, 'close');
    await close(server);
    return { madeIsReadsPlusOne: made === reads + 1, freshEachTime, bytes };
  });
});

test('onread callback returning false stops reading until resume()', async () => {
  await sameOnBoth(async (net) => {
    const payload = Buffer.alloc(4096, 'b');
    const { server, port } = await sender(net, payload);
    const log = [];
    let bytes = 0;
    let first = true;
    const client = connectWith(net, port, {
      buffer: Buffer.alloc(512),
      callback(nread) {
        bytes += nread;
        if (first) {
          first = false;
          log.push(['stop', this.isPaused()]);
          return false;
        }
        return true;
      },
    });
    client.on('end', () => log.push(['end', bytes]));
    while (first) await delay(2);
    await delay(50);
    log.push(['while stopped', bytes <= 512, client.isPaused()]);
    client.resume();
    await once(client, 'close');
    await close(server);
    return { log, bytes };
  });
});

test('onread: pause() stops the reads and resume() restarts them', async () => {
  await sameOnBoth(async (net) => {
    const payload = Buffer.alloc(4096, 'c');
    const { server, port } = await sender(net, payload);
    let bytes = 0;
    const client = connectWith(net, port, {
      buffer: Buffer.alloc(256),
      callback(nread) { bytes += nread; },
    });
    client.pause();
    await delay(50);
    const whilePaused = bytes;
    client.resume();
    await once(client, 'close');
    await close(server);
    return { whilePaused, bytes };
  });
});

test('an onread that is not { buffer: Uint8Array | function, callback } is ignored: data flows as usual', async () => {
  await sameOnBoth(async (net) => {
    const payload = Buffer.from('plain data');
    const { server, port } = await sender(net, payload);
    const results = [];
    for (const onread of [{ buffer: 'text', callback() {} }, { buffer: Buffer.alloc(8) }, 42, null,
      { buffer: new Uint16Array(4), callback() {} }]) {
      const client = connectWith(net, port, onread);
      let text = '';
      client.on('data', (d) => { text += d; });
      await once(client, 'close');
      results.push(text);
    }
    await close(server);
    return results;
  });
});
