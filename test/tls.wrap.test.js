'use strict';
// The runtime's TLS layered on a module's socket (tls.connect({ socket }) and
// new tls.TLSSocket(socket, { isServer: true })): what the TLSSocket and the
// plain socket under it show, compared between built-in net and cnet.
const test = require('node:test');
const fs = require('fs');
const path = require('path');
const tls = require('tls');
const { sameOnBoth, listen, close, once, record, perEndpoint } = require('./helpers/modules');

// A self-signed test certificate for localhost/127.0.0.1, made for these tests only.
const key = fs.readFileSync(path.join(__dirname, 'fixtures', 'tls', 'key.pem'));
const cert = fs.readFileSync(path.join(__dirname, 'fixtures', 'tls', 'cert.pem'));

// A server whose accepted sockets are wrapped as they come; resolves with the
// server, its port and a promise of the first wrapped socket once secure.
async function wrappingServer(net, onRaw = () => {}) {
  let resolveSecure;
  const secured = new Promise((resolve) => { resolveSecure = resolve; });
  const server = net.createServer((raw) => {
    onRaw(raw);
    const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
    secure.on('secure', () => resolveSecure({ secure, raw }));
    secure.on('error', () => {});
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  return { server, port, secured };
}

// The address fields of a socket, and whether they equal those of another.
function addresses(socket, plain) {
  return {
    remoteAddress: socket.remoteAddress,
    remoteFamily: socket.remoteFamily,
    remotePortIsPlain: socket.remotePort === plain.remotePort && typeof socket.remotePort === 'number',
    localAddress: socket.localAddress,
    localPortIsPlain: socket.localPort === plain.localPort && typeof socket.localPort === 'number',
    address: { ...socket.address(), port: typeof socket.address().port },
    addressIsPlain: JSON.stringify(socket.address()) === JSON.stringify(plain.address()),
  };
}

test('TLS over a module socket: the TLSSocket reports the TCP addresses on both ends (remote*, local*, address())', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const { server, port, secured } = await wrappingServer(net);
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    const { secure, raw: accepted } = await secured;
    const seen = { client: addresses(client, raw), server: addresses(secure, accepted) };
    client.destroy();
    await once(accepted, 'close');
    await close(server);
    return seen;
  });
});

// The handle under the plain socket records the option calls that reach it
// (enable and delay; Node 24's net also passes interval and count arguments).
function spyOn(raw, log, label, names) {
  const handle = raw._handle;
  for (const name of names) {
    const original = handle[name];
    // defined, not assigned: a handle's methods may be read-only on its prototype
    Object.defineProperty(handle, name, {
      configurable: true,
      value: function spied(...callArgs) {
        log.push(`${label}:${name}(${callArgs.slice(0, 2).join(',')})`);
        return original.apply(this, callArgs);
      },
    });
  }
}

test('TLS over a module socket: tlsSocket.setNoDelay()/setKeepAlive() reach the TCP handle on both ends', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const { server, port, secured } = await wrappingServer(net, (raw) => spyOn(raw, log, 'server', ['setNoDelay', 'setKeepAlive']));
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    spyOn(raw, log, 'client', ['setNoDelay', 'setKeepAlive']);
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    const { secure, raw: accepted } = await secured;
    log.push(`client:returns(${client.setNoDelay(true) === client},${client.setKeepAlive(true, 1500) === client})`);
    client.setNoDelay(true);
    client.setNoDelay(false);
    client.setKeepAlive(false);
    log.push(`server:returns(${secure.setNoDelay() === secure},${secure.setKeepAlive(true, 60000) === secure})`);
    client.destroy();
    await once(accepted, 'close');
    await close(server);
    return log;
  });
});

test('TLS over a module socket: tlsSocket.unref()/ref() reach the TCP handle', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const { server, port, secured } = await wrappingServer(net);
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    spyOn(raw, log, 'client', ['ref', 'unref']);
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    const { raw: accepted } = await secured;
    log.push(`returns(${client.unref() === client},${client.ref() === client})`);
    client.destroy();
    await once(accepted, 'close');
    await close(server);
    return log;
  });
});

test('TLS over a module socket: setEncoding() on the plain socket before the wrap leaves the TLS data path intact', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const { server, port, secured } = await wrappingServer(net, (raw) => raw.setEncoding('latin1'));
    const raw = net.connect(port, '127.0.0.1');
    raw.setEncoding('utf8');
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    client.on('error', (e) => log.push(`client:error(${e.code})`));
    await once(client, 'secureConnect');
    log.push(`client:secure(${client.authorized})`);
    const { secure, raw: accepted } = await secured;
    secure.setEncoding('utf8');
    secure.on('data', (d) => {
      log.push(`server:data(${d})`);
      secure.end('\u00e9t\u00e9 reply');
    });
    client.setEncoding('utf8');
    client.on('data', (d) => log.push(`client:data(${d})`));
    client.write('h\u00e9llo');
    await once(client, 'end');
    client.end();
    await once(accepted, 'close');
    await close(server);
    return log;
  });
});

// A STARTTLS-style exchange: plain lines first, read with 'data' listeners that
// stay attached; then both ends upgrade and exchange data over TLS.
test('TLS over a module socket: \'data\' listeners of the plain socket see nothing after the wrap, and the close order is the same', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    let serverSecure;
    let serverRaw;
    const server = net.createServer((raw) => {
      serverRaw = raw;
      raw.write('220 ready\n');
      raw.on('data', (d) => {
        log.push(`server-raw:data(${d.length})`);
        if (String(d) !== 'STARTTLS\n') return;
        raw.write('220 go\n', () => {
          serverSecure = new tls.TLSSocket(raw, { isServer: true, key, cert });
          serverSecure.on('data', (m) => serverSecure.end(`echo ${m}`));
          record(log, 'server-tls', serverSecure, ['secure', 'end', 'close', 'error']);
        });
      });
      record(log, 'server-raw', raw, ['end', 'close']);
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect(port, '127.0.0.1');
    record(log, 'client-raw', raw, ['end', 'close']);
    const upgraded = new Promise((resolve) => {
      raw.on('data', (d) => {
        log.push(`client-raw:data(${d})`);
        if (String(d) === '220 ready\n') raw.write('STARTTLS\n');
        else if (String(d) === '220 go\n') resolve();
      });
    });
    await upgraded;
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    record(log, 'client-tls', client, ['secureConnect', 'end', 'close', 'error']);
    client.on('data', (d) => log.push(`client-tls:data(${d})`));
    client.on('end', () => client.end());
    client.write('secret');
    await Promise.all([once(client, 'close'), once(serverRaw, 'close')]);
    if (!serverSecure.destroyed) await once(serverSecure, 'close');
    await close(server);
    return log;
  }, {
    // Bun: events of the two ends may interleave differently (see perEndpoint),
    // and its TLSSocket passes itself to 'secure' over any socket, its own net's too.
    onPrivateLoop: (log) => perEndpoint(log.map((entry) => entry.replace(/:secure\(TLSSocket\)$/, ':secure'))),
  });
});

test('TLS over a module socket still connecting: the TLSSocket is connecting and emits \'connect\' once the socket is', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const { server, port, secured } = await wrappingServer(net);
    const raw = net.connect(port, '127.0.0.1');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    log.push(`connecting(${client.connecting})`);
    record(log, 'client-tls', client, ['connect', 'secureConnect']);
    await once(client, 'secureConnect');
    log.push(`connecting(${client.connecting})`);
    const { raw: accepted } = await secured;
    client.destroy();
    await once(accepted, 'close');
    await close(server);
    return log;
  });
});

// A writer that waits for 'drain' whenever write() returns false, as pipe() does.
test('TLS over a module socket: write() reports backpressure and \'drain\' follows, 8 MiB in 64 KiB writes arrive whole', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const chunks = 128;
    const chunk = Buffer.alloc(65536, 3);
    let received = 0;
    let serverRaw;
    let allReceived;
    const done = new Promise((resolve) => { allReceived = resolve; });
    const server = net.createServer((raw) => {
      serverRaw = raw;
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
      secure.on('data', (d) => {
        received += d.length;
        if (received === chunks * chunk.length) allReceived();
      });
      secure.on('error', () => {});
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    const returned = [];
    let sent = 0;
    const pump = () => {
      while (sent < chunks) {
        sent++;
        const accepted = client.write(chunk);
        returned.push(accepted);
        if (!accepted) return;
      }
    };
    client.on('drain', pump);
    pump();
    await done;
    client.destroy();
    await once(serverRaw, 'close');
    await close(server);
    return { received, firstWrites: returned.slice(0, 4), falseReturns: returned.filter((x) => !x).length > 0 };
  });
});

// Polls (one check per loop turn, bounded) until the socket holds unread bytes.
async function untilBuffered(socket) {
  for (let turn = 0; turn < 10000 && socket.readableLength === 0; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  return socket.readableLength > 0;
}

test('TLS over a module socket wrapped after the ClientHello arrived: the bytes read before the wrap reach TLS', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    let serverRaw;
    const server = net.createServer(async (raw) => {
      serverRaw = raw;
      raw.pause();
      log.push(`server:buffered-before-wrap(${await untilBuffered(raw)})`);
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
      secure.on('secure', () => log.push('server:secure'));
      secure.setEncoding('utf8');
      secure.on('data', (d) => secure.end(`echo ${d}`));
      secure.on('error', (e) => log.push(`server:error(${e.code})`));
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    client.setEncoding('utf8');
    let reply = '';
    client.on('data', (d) => { reply += d; });
    client.write('late');
    await once(client, 'end');
    client.end();
    await once(client, 'close');
    if (!serverRaw.destroyed) await once(serverRaw, 'close');
    await close(server);
    log.push(`client:reply(${reply})`);
    return log;
  });
});

test('TLS over a module socket not yet told to connect: the handshake waits for connect()', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const { server, port, secured } = await wrappingServer(net);
    const raw = new net.Socket();
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    log.push(`connecting(${client.connecting})`);
    record(log, 'client-tls', client, ['connect', 'secureConnect', 'error']);
    raw.connect(port, '127.0.0.1');
    await once(client, 'secureConnect');
    const { secure, raw: accepted } = await secured;
    secure.end('hello');
    client.setEncoding('utf8');
    const [data] = await once(client, 'data');
    log.push(`client:data(${data})`);
    client.destroy();
    await once(accepted, 'close');
    await close(server);
    return log;
  });
});

test('TLS over a module socket: destroying the plain socket destroys the TLSSocket before the socket\'s later \'close\' listeners run', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const { server, port, secured } = await wrappingServer(net);
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    const { raw: accepted, secure } = await secured;
    accepted.on('close', () => log.push(`server-raw:close(tls destroyed: ${secure.destroyed})`));
    secure.on('close', () => log.push('server-tls:close'));
    accepted.destroy();
    await Promise.all([once(secure, 'close'), once(client, 'close')]);
    await close(server);
    return log;
  }, {
    // Bun: cnet emits 'close' after its private loop's turn (README Bun), so the
    // two sockets' 'close' events may come in either order; what each saw must match.
    onPrivateLoop: (log) => [...log].sort(),
  });
});
