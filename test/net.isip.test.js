'use strict';
// isIP / isIPv4 / isIPv6 give the same answers as built-in net.
const test = require('node:test');
const assert = require('assert');
const { builtin, cnet, reference } = require('./helpers/modules');

const inputs = [
  '127.0.0.1', '0.0.0.0', '255.255.255.255', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', ' 1.2.3.4',
  '::', '::1', 'fe80::1', 'fe80::1%lo', '2001:db8::8a2e:370:7334', '::ffff:127.0.0.1', '1::2::3',
  'localhost', '', 'abc', '1.2.3.4 ', 12345, null, undefined, {}, [], 0, true,
  // zone indexes: empty, with characters net refuses, on an IPv4 address
  '::1%', 'fe80::1%', 'fe80::2008%eth0', 'fe80::2008%eth0.0', 'fe80::2008%eth0@1', 'fe80::1%a-b.c:d',
  'fe80::1%%', 'fe80::1%\u00e9', '1.2.3.4%eth0',
  // groups and embedded IPv4 forms
  '0000:0000:0000:0000:0000:0000:0000:0000', '0000:0000:0000:0000:0000:0000:0000:0000::0000',
  ':2001:252:0:1::2008:6:', '2001:252:0:1::2008:6:', '::2001:252:1:255.255.255.255',
  '::2001:252:1:255.255.255.255.76', '::anything', '0000:0000:0000:0000:0000:0000:12345:0000', '0', 'x127.0.0.1',
  { toString: () => '::2001:252:1:1.1.1.1' }, { toString: () => '127.0.0.1' }, { toString: () => 'bla' },
];

function answers(net) {
  return inputs.map((input) => [String(input), net.isIP(input), net.isIPv4(input), net.isIPv6(input)]);
}

test('isIP, isIPv4 and isIPv6 agree with built-in net on valid and invalid inputs', async () => {
  const expected = await reference(() => answers(builtin));
  assert.deepStrictEqual(answers(cnet), expected);
});

test('the module exports the same public names as built-in net', async () => {
  const expected = ['createServer', 'createConnection', 'connect', 'Server', 'Socket', 'Stream',
    'isIP', 'isIPv4', 'isIPv6', 'BlockList', 'SocketAddress', 'getDefaultAutoSelectFamily',
    'setDefaultAutoSelectFamily', 'getDefaultAutoSelectFamilyAttemptTimeout',
    'setDefaultAutoSelectFamilyAttemptTimeout'];
  const surface = (net) => expected.map((name) => typeof net[name]);
  assert.deepStrictEqual(surface(cnet), await reference(() => surface(builtin)));
});

// The defaults are the running runtime's (Bun's node:net starts with 500 ms, Node's with 250 ms).
test('the autoSelectFamily defaults are those of the running runtime\'s net', () => {
  const defaults = (net) => [net.getDefaultAutoSelectFamily(), net.getDefaultAutoSelectFamilyAttemptTimeout()];
  assert.deepStrictEqual(defaults(cnet), defaults(builtin));
});

test('Socket is a stream.Duplex and Server an EventEmitter', () => {
  const { Duplex } = require('stream');
  const EventEmitter = require('events');
  const socket = new cnet.Socket();
  assert.ok(socket instanceof Duplex);
  assert.ok(cnet.createServer() instanceof EventEmitter);
  socket.destroy();
});
