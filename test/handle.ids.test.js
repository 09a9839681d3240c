'use strict';
// The ids writes name their native handle by (src/handle_ids.h): an id stops
// working when its handle starts closing, and a slot used again by a new
// handle never answers to the old id. Internal, so not differential.
const test = require('node:test');
const assert = require('assert');
const { createHandle } = require('../lib/handle');
const binding = require('../lib/binding');
const { errname } = require('../lib/errors');
const cnet = require('../lib/net');

const bytes = Buffer.from('x');

test('a handle id stops naming the handle once it is closing; a reused slot ignores the old id', async () => {
  const server = cnet.createServer((socket) => socket.resume());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = cnet.connect(server.address().port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  const handle = client._handle;
  const id = handle.id;
  assert.strictEqual(binding.writeBuffer(id, bytes), 0);
  client.destroy();
  assert.strictEqual(errname(binding.writeBuffer(id, bytes)), 'EBADF');
  assert.strictEqual(errname(handle.write(bytes)), 'EBADF');

  // The next handle takes the freed slot: the old id must not reach it.
  const next = cnet.connect(server.address().port, '127.0.0.1');
  await new Promise((resolve) => next.once('connect', resolve));
  const nextId = next._handle.id;
  try {
    assert.notStrictEqual(nextId, id);
    assert.strictEqual(nextId % 2 ** 22, id % 2 ** 22, 'the slot was not reused, so this test proves nothing');
    assert.strictEqual(errname(binding.writeBuffer(id, bytes)), 'EBADF');
    assert.strictEqual(binding.writeBuffer(nextId, bytes), 0);
  } finally {
    next.destroy();
    server.close();
  }

  const seen = new Set([id, nextId]);
  const later = [];
  for (let i = 0; i < 200; i++) {
    const h = createHandle(false, null);
    assert.ok(!seen.has(h.id), `id ${h.id} was handed out twice`);
    seen.add(h.id);
    later.push(h);
  }
  for (const h of later) h.close();
});

test('ids that are not a live handle id are refused, never dereferenced', () => {
  for (const id of [-1, 0.5, NaN, Infinity, 2 ** 53, 2 ** 40 + 7, '0', null, undefined, {}]) {
    assert.strictEqual(errname(binding.writeBuffer(id, bytes)), 'EBADF', String(id));
  }
  assert.strictEqual(errname(binding.writeUtf8(-1, 'x')), 'EBADF');
});
