'use strict';
// net.BoundSocket (Node 24.19 / 26.4; `path` 24.20): bound at construction,
// adopted by a server to listen on or by a socket to connect from, compared
// with Node 24's net (Node 20's has no BoundSocket: cnet gives Node 24's behaviour).
const test = require('node:test');
const fs = require('fs');
const { builtin, sameAsNode24, errorShape, listen, close, pipePath } = require('./helpers/modules');

const builtinHasBoundSocket = typeof builtin.BoundSocket === 'function';

function attempt(fn) {
  try {
    const result = fn();
    return { result: result === undefined ? 'undefined' : result };
  } catch (err) {
    return { error: errorShape(err) };
  }
}

// What every method of a BoundSocket whose handle was adopted, closed or disposed throws.
const spent = { error: {
  name: 'Error', code: 'ERR_SOCKET_HANDLE_ADOPTED', message: 'The bound socket has already been adopted by a server or socket',
} };

function echoServer(net) {
  return net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(`hello ${socket.remoteAddress === undefined ? 'pipe' : socket.remoteFamily}`);
  });
}

// Reads what the server says until it closes.
function readAll(client) {
  return new Promise((resolve, reject) => {
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (d) => { text += d; });
    client.on('error', reject);
    client.on('close', () => resolve(text));
  });
}

for (const form of ['listen(bound)', 'listen({ handle: bound })']) {
  test(`${form}: the server listens on the bound address and the BoundSocket is spent, as Node 24's net`, async () => {
    await sameAsNode24(builtinHasBoundSocket, async (net) => {
      const bound = new net.BoundSocket({ host: '127.0.0.1' });
      const address = bound.address();
      const descriptor = typeof bound.fd();
      const server = echoServer(net);
      const listening = new Promise((resolve) => server.once('listening', resolve));
      if (form === 'listen(bound)') server.listen(bound);
      else server.listen({ handle: bound });
      const afterAdoption = [attempt(() => bound.address()), attempt(() => bound.fd()), attempt(() => bound.close())];
      await listening;
      const sameAddress = JSON.stringify(server.address()) === JSON.stringify(address);
      const answer = await readAll(net.connect(address.port, '127.0.0.1'));
      await close(server);
      return {
        family: address.family, portChosen: address.port > 0, isPipe: bound.isPipe, descriptor, sameAddress, afterAdoption, answer,
      };
    }, {
      family: 'IPv4',
      portChosen: true,
      isPipe: false,
      descriptor: 'number',
      sameAddress: true,
      afterAdoption: Array(3).fill(spent),
      answer: 'hello IPv4',
    });
  });
}

test('new Socket({ handle: bound }) connects from the bound port, known as soon as connect() returns, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, async (net) => {
    const server = echoServer(net);
    const { port } = await listen(server, 0, '127.0.0.1');
    const bound = new net.BoundSocket({ host: '127.0.0.1' });
    const localPort = bound.address().port;
    const client = new net.Socket({ handle: bound });
    const before = { pending: client.pending, readyState: client.readyState, fromBoundPort: client.localPort === localPort };
    client.connect(port, '127.0.0.1');
    const atConnect = { connecting: client.connecting, fromBoundPort: client.localPort === localPort };
    const answer = await readAll(client);
    await close(server);
    return { before, atConnect, answer };
  }, {
    before: { pending: false, readyState: 'open', fromBoundPort: true },
    atConnect: { connecting: true, fromBoundPort: true },
    answer: 'hello IPv4',
  });
});

test('createConnection({ handle: bound, host: name }) looks the name up and connects from the bound port, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, async (net) => {
    const server = echoServer(net);
    const { port } = await listen(server, 0, '127.0.0.1');
    const bound = new net.BoundSocket({ host: '127.0.0.1' });
    const localPort = bound.address().port;
    const client = net.createConnection({ handle: bound, port, host: 'localhost', family: 4 });
    await new Promise((resolve) => client.once('connect', resolve));
    const fromBoundPort = client.localPort === localPort;
    const answer = await readAll(client);
    await close(server);
    return { fromBoundPort, answer };
  }, { fromBoundPort: true, answer: 'hello IPv4' });
});

test('a bound socket takes no localAddress or localPort: connect() throws, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, (net) => {
    const client = new net.Socket({ handle: new net.BoundSocket({ host: '127.0.0.1' }) });
    const seen = attempt(() => client.connect({ port: 9, host: '127.0.0.1', localPort: 4000 }));
    client.destroy();
    return seen;
  }, { error: {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'options' localAddress and localPort cannot be used with an adopted bound socket. Received { port: 9, host: '127.0.0.1', localPort: 4000 }",
  } });
});

test('close() and [Symbol.dispose]() release a BoundSocket nothing adopted; its port can be bound again, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, (net) => {
    const first = new net.BoundSocket({ host: '127.0.0.1' });
    const { port } = first.address();
    const closed = [attempt(() => first.close()), attempt(() => first.close())];
    const again = new net.BoundSocket({ host: '127.0.0.1', port });
    const samePort = again.address().port === port;
    const disposed = [attempt(() => again[Symbol.dispose]()), attempt(() => again[Symbol.dispose]()), attempt(() => again.fd())];
    return { closed, samePort, disposed };
  }, {
    closed: [{ result: 'undefined' }, spent],
    samePort: true,
    disposed: [{ result: 'undefined' }, { result: 'undefined' }, spent],
  });
});

test('a port in use by a listener: new BoundSocket throws EADDRINUSE at once, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, async (net) => {
    const server = net.createServer();
    const { port } = await listen(server, 0, '127.0.0.1');
    const seen = attempt(() => new net.BoundSocket({ host: '127.0.0.1', port }));
    await close(server);
    if (seen.error) {
      seen.error.message = seen.error.message.replace(`:${port}`, ':<port>');
      seen.error.port = seen.error.port === port;
    }
    return seen;
  }, { error: {
    name: 'Error', code: 'EADDRINUSE', message: 'bind EADDRINUSE 127.0.0.1:<port>', errno: -98, syscall: 'bind', address: '127.0.0.1', port: true,
  } });
});

const typeError = (message) => ({ error: { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message } });
const badOptions = [
  [null, typeError('The "options" argument must be of type object. Received null')],
  ['x', typeError('The "options" argument must be of type object. Received type string (\'x\')')],
  [[], typeError('The "options" argument must be of type object. Received an instance of Array')],
  [{ host: 'localhost' }, { error: {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The property 'options.host' must be a numeric IP address; net.BoundSocket does not perform DNS resolution. Received 'localhost'",
  } }],
  [{ port: -1 }, { error: {
    name: 'RangeError', code: 'ERR_SOCKET_BAD_PORT', message: 'options.port should be >= 0 and < 65536. Received type number (-1).',
  } }],
  [{ ipv6Only: 'yes' }, typeError('The "options.ipv6Only" property must be of type boolean. Received type string (\'yes\')')],
  [{ reusePort: 1 }, typeError('The "options.reusePort" property must be of type boolean. Received type number (1)')],
  [{ host: 5 }, typeError('The "options.host" property must be of type string. Received type number (5)')],
  [{ path: 5 }, typeError('The "options.path" property must be of type string. Received type number (5)')],
  [{ path: '/nonexistent/x', port: 1 }, { error: {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'options' path is mutually exclusive with host, port, ipv6Only, and reusePort. Received { path: '/nonexistent/x', port: 1 }",
  } }],
];

test('bad options for new BoundSocket throw as in Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, (net) => badOptions.map(([options]) => attempt(() => new net.BoundSocket(options))),
    badOptions.map(([, expected]) => expected));
});

test('new BoundSocket({ ipv6Only: true }) binds the IPv6 any-address, and a client bound to ::1 reaches an IPv6 server, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, async (net) => {
    const any = new net.BoundSocket({ ipv6Only: true });
    const anyAddress = any.address().address;
    any.close();
    const server = echoServer(net);
    const { port } = await listen(server, 0, '::1');
    const client = new net.Socket({ handle: new net.BoundSocket({ host: '::1' }) });
    client.connect(port, '::1');
    const answer = await readAll(client);
    await close(server);
    return { anyAddress, answer };
  }, { anyAddress: '::', answer: 'hello IPv6' });
});

test('a Unix socket BoundSocket: the server listens on its path, a bound client names its own path, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, async (net) => {
    const serverPath = pipePath('bound-server');
    const clientPath = pipePath('bound-client');
    const bound = new net.BoundSocket({ path: serverPath });
    const address = bound.address() === serverPath;
    const file = fs.existsSync(serverPath);
    const server = echoServer(net);
    await listen(server, { handle: bound });
    const listening = server.address() === serverPath;
    const client = new net.Socket({ handle: new net.BoundSocket({ path: clientPath }) });
    const localBefore = client.address().address === clientPath;
    client.connect(serverPath);
    const answer = await readAll(client);
    const localAfter = client.address().address === clientPath;
    await close(server);
    const removed = !fs.existsSync(serverPath);
    return { address, isPipe: bound.isPipe, file, listening, localBefore, answer, localAfter, removed };
  }, {
    address: true, isPipe: true, file: true, listening: true, localBefore: true, answer: 'hello pipe', localAfter: true, removed: true,
  });
});

test('an abstract BoundSocket (\'\\0name\') listens and is reached, and a path in use fails with EADDRINUSE, as Node 24\'s net', async () => {
  await sameAsNode24(builtinHasBoundSocket, async (net) => {
    const name = `\0cnet-bound-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const bound = new net.BoundSocket({ path: name });
    const server = echoServer(net);
    await listen(server, bound);
    const listening = server.address() === name;
    const inUse = attempt(() => new net.BoundSocket({ path: name }));
    const answer = await readAll(net.connect(name));
    await close(server);
    return { listening, inUse: inUse.error && { ...inUse.error, message: inUse.error.message }, answer };
  }, {
    listening: true,
    inUse: { name: 'Error', code: 'EADDRINUSE', message: 'bind EADDRINUSE', errno: -98, syscall: 'bind' },
    answer: 'hello pipe',
  });
});

test('net.BoundSocket is exported as in Node 24\'s net, with its capability marker isPipe', async () => {
  await sameAsNode24(builtinHasBoundSocket, (net) => ({
    type: typeof net.BoundSocket,
    isPipeOnPrototype: 'isPipe' in net.BoundSocket.prototype,
    methods: ['address', 'fd', 'close'].map((name) => typeof net.BoundSocket.prototype[name]),
  }), { type: 'function', isPipeOnPrototype: true, methods: ['function', 'function', 'function'] });
});

