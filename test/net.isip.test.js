'use strict';
// isIP / isIPv4 / isIPv6 give the same answers as built-in net.
const test = require('node:test');
const assert = require('assert');
const { builtin, cnet } = require('./helpers/modules');

const inputs = [
  '127.0.0.1', '0.0.0.0', '255.255.255.255', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', ' 1.2.3.4',
  '::', '::1', 'fe80::1', 'fe80::1%lo', '2001:db8::8a2e:370:7334', '::ffff:127.0.0.1', '1::2::3',
  'localhost', '', 'abc', '1.2.3.4 ', 12345, null, undefined, {}, [], 0, true,
];

test('isIP, isIPv4 and isIPv6 agree with built-in net on valid and invalid inputs', () => {
  for (const input of inputs) {
    for (const fn of ['isIP', 'isIPv4', 'isIPv6']) {
      assert.strictEqual(cnet[fn](input), builtin[fn](input), `${fn}(${JSON.stringify(input)})`);
    }
  }
});

test('the module exports the same public names as built-in net', () => {
  const expected = ['createServer', 'createConnection', 'connect', 'Server', 'Socket', 'Stream',
    'isIP', 'isIPv4', 'isIPv6', 'BlockList', 'SocketAddress', 'getDefaultAutoSelectFamily',
    'setDefaultAutoSelectFamily', 'getDefaultAutoSelectFamilyAttemptTimeout',
    'setDefaultAutoSelectFamilyAttemptTimeout'];
  for (const name of expected) {
    assert.strictEqual(typeof cnet[name], typeof builtin[name], name);
  }
  assert.strictEqual(cnet.getDefaultAutoSelectFamily(), builtin.getDefaultAutoSelectFamily());
  assert.strictEqual(cnet.getDefaultAutoSelectFamilyAttemptTimeout(),
    builtin.getDefaultAutoSelectFamilyAttemptTimeout());
});

test('Socket is a stream.Duplex and Server an EventEmitter', () => {
  const { Duplex } = require('stream');
  const EventEmitter = require('events');
  const socket = new cnet.Socket();
  assert.ok(socket instanceof Duplex);
  assert.ok(cnet.createServer() instanceof EventEmitter);
  socket.destroy();
});
