'use strict';
// setTypeOfService / getTypeOfService and the typeOfService option (Node 24.15 /
// 25.6): IP_TOS, or IPV6_TCLASS on IPv6, as the kernel holds it.
const test = require('node:test');
const { sameAsNode24, errorShape, listen, close, pipePath } = require('./helpers/modules');
const { kernelOptions, connectedPair } = require('./helpers/sockopt');

const builtinHasTypeOfService = typeof require('net').Socket.prototype.setTypeOfService === 'function';

function attempt(fn) {
  try {
    const result = fn();
    return { result: typeof result === 'object' && result !== null ? result.constructor.name : result };
  } catch (err) {
    return { error: errorShape(err) };
  }
}

const both = (client) => ({ get: client.getTypeOfService(), kernel: kernelOptions(client).typeOfService });

for (const host of ['127.0.0.1', '::1']) {
  test(`typeOfService option on ${host}: the connected socket carries it, as Node 24's net`, async () => {
    await sameAsNode24(builtinHasTypeOfService, (net) => connectedPair(net, {
      host, connectOptions: { typeOfService: 0x20 }, observe: both,
    }), { get: 0x20, kernel: 0x20 });
  });

  test(`setTypeOfService(4) once connected on ${host}, and the accepted end keeps 0, as Node 24's net`, async () => {
    await sameAsNode24(builtinHasTypeOfService, (net) => connectedPair(net, {
      host,
      connected: (client) => client.setTypeOfService(4),
      observe: (client, serverSocket) => ({ client: both(client), accepted: both(serverSocket) }),
    }), { client: { get: 4, kernel: 4 }, accepted: { get: 0, kernel: 0 } });
  });
}

test('setTypeOfService on a new Socket waits for connect() and returns the socket, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasTypeOfService, async (net) => {
    const log = [];
    const seen = await connectedPair(net, {
      fresh: true,
      beforeConnect: (client) => {
        log.push(client.getTypeOfService());
        log.push(attempt(() => client.setTypeOfService(0x28)));
        log.push(client.getTypeOfService());
      },
      observe: both,
    });
    return { log, seen };
  }, { log: [0, { result: 'Socket' }, 0x28], seen: { get: 0x28, kernel: 0x28 } });
});

test('while the connect is under way there is no descriptor: get and set fail with EBADF, the option still applies, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasTypeOfService, async (net) => {
    const log = [];
    const seen = await connectedPair(net, {
      connectOptions: { typeOfService: 0x10 },
      beforeConnect: (client) => {
        log.push(attempt(() => client.getTypeOfService()));
        log.push(attempt(() => client.setTypeOfService(0x18)));
      },
      observe: both,
    });
    return { log, seen };
  }, {
    log: [
      { error: { name: 'Error', code: 'EBADF', message: 'getTypeOfService EBADF', errno: -9, syscall: 'getTypeOfService' } },
      { error: { name: 'Error', code: 'EBADF', message: 'setTypeOfService EBADF', errno: -9, syscall: 'setTypeOfService' } },
    ],
    // The failed set still became the value to apply once connected.
    seen: { get: 0x18, kernel: 0x18 },
  });
});

test('a Unix socket remembers the type of service it cannot use, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasTypeOfService, async (net) => {
    const server = net.createServer((socket) => socket.destroy());
    const path = pipePath('tos');
    await listen(server, path);
    const client = net.connect(path);
    client.on('error', () => {});
    await new Promise((resolve) => client.once('connect', resolve));
    const log = [attempt(() => client.setTypeOfService(9)), client.getTypeOfService()];
    client.destroy();
    await close(server);
    return log;
  }, [{ result: 'Socket' }, 9]);
});

const typeError = (message) => ({ error: { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message } });
const rangeError = (message) => ({ error: { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message } });
const outOfRange = (name, received) => rangeError(`The value of "${name}" is out of range. It must be >= 0 && <= 255. Received ${received}`);
const notInteger = (name, received) => rangeError(`The value of "${name}" is out of range. It must be an integer. Received ${received}`);
const notNumber = (name, received) => typeError(`The "${name} must be of type number. Received ${received}`);
// [value, setTypeOfService(value), new Socket({ typeOfService: value })] as Node 24's net has them.
const badValues = [
  [-1, outOfRange('tos', -1), outOfRange('options.typeOfService', -1)],
  [256, outOfRange('tos', 256), outOfRange('options.typeOfService', 256)],
  [2 ** 31, outOfRange('tos', 2147483648), outOfRange('options.typeOfService', 2147483648)],
  [1.5, notInteger('tos', 1.5), notInteger('options.typeOfService', 1.5)],
  [Infinity, notInteger('tos', Infinity), notInteger('options.typeOfService', Infinity)],
  [NaN, notNumber('tos" argument', 'type number (NaN)'), notInteger('options.typeOfService', NaN)],
  ['3', notNumber('tos" argument', "type string ('3')"), notNumber('options.typeOfService" property', "type string ('3')")],
  [null, notNumber('tos" argument', 'null'), notNumber('options.typeOfService" property', 'null')],
  [undefined, notNumber('tos" argument', 'undefined'), { result: 'Socket' }],
];

test('bad values for setTypeOfService(tos) and the typeOfService option throw as in Node 24\'s net', async () => {
  await sameAsNode24(builtinHasTypeOfService, (net) => badValues.map(([value]) => ({
    value: String(value),
    set: attempt(() => new net.Socket().setTypeOfService(value)),
    option: attempt(() => new net.Socket({ typeOfService: value })),
  })), badValues.map(([value, set, option]) => ({ value: String(value), set, option })));
});
