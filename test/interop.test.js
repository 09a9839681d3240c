'use strict';
// TLS and HTTP layered on cnet sockets, compared with the same on built-in net.
const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const tls = require('tls');
const http = require('http');
const { sameOnBoth, listen, close, once } = require('./helpers/modules');

// A self-signed test certificate for localhost/127.0.0.1, made for these tests only.
const key = fs.readFileSync(path.join(__dirname, 'fixtures', 'tls', 'key.pem'));
const cert = fs.readFileSync(path.join(__dirname, 'fixtures', 'tls', 'cert.pem'));

test('TLS both ways: tls.connect({ socket }) to a TLSSocket wrapping an accepted socket', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const server = net.createServer((raw) => {
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
      secure.on('secure', () => log.push('server:secure'));
      secure.setEncoding('utf8');
      secure.on('data', (d) => {
        log.push(`server:data(${d})`);
        secure.end(`pong:${d}`);
      });
      secure.on('error', (e) => log.push(`server:error(${e.code})`));
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    log.push(`client:authorized(${client.authorized})`);
    client.setEncoding('utf8');
    let reply = '';
    client.on('data', (d) => { reply += d; });
    client.write('ping');
    await once(client, 'end');
    client.end();
    await once(raw, 'close');
    await close(server);
    return { log, reply };
  });
});

// A tls.Server fed the module's accepted sockets through 'connection' (how https and
// STARTTLS servers take foreign sockets); the client's raw socket is handed to
// tls.connect while still connecting; 2 MiB each way, so writes hit backpressure.
test('TLS: tls.Server fed accepted sockets, a still-connecting client socket, 2 MiB each way', async () => {
  await sameOnBoth(async (net) => {
    const size = 2 << 20;
    const log = [];
    const tlsServer = tls.createServer({ key, cert }, (secure) => {
      let received = 0;
      let sum = 0;
      secure.on('data', (d) => {
        received += d.length;
        for (const byte of d) sum += byte;
        if (received === size) {
          log.push(`server:received(${received},${sum})`);
          secure.end(Buffer.alloc(size, 7));
        }
      });
      secure.on('error', (e) => log.push(`server:error(${e.code})`));
    });
    const server = net.createServer((raw) => {
      tlsServer.emit('connection', raw);
      // The accepted socket stays a working socket of its module after the wrap.
      log.push(`server:raw(${typeof raw.remotePort},${raw.remoteAddress})`);
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect(port, '127.0.0.1');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    log.push(`client:secure(${client.authorized},${client.getProtocol()})`);
    let received = 0;
    let sum = 0;
    client.on('data', (d) => {
      received += d.length;
      for (const byte of d) sum += byte;
    });
    log.push(`client:write(${client.write(Buffer.alloc(size, 1))})`);
    await once(client, 'end');
    log.push(`client:received(${received},${sum})`);
    client.end();
    await once(raw, 'close');
    await close(server);
    return log;
  });
});

test('TLS: a failed handshake (untrusted certificate) errors the client and closes both raw sockets', async () => {
  await sameOnBoth(async (net) => {
    const client = {};
    let serverRawClosed;
    const server = net.createServer((raw) => {
      serverRawClosed = once(raw, 'close');
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
      secure.on('error', () => {});
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const secure = tls.connect({ socket: raw, servername: 'localhost' });
    const [err] = await once(secure, 'error');
    client.error = err.code;
    client.authorized = secure.authorized;
    if (!raw.destroyed) await once(raw, 'close');
    client.rawDestroyed = raw.destroyed;
    await serverRawClosed;
    await close(server);
    return client;
  });
});

// HTTP requests over the module's sockets: three through a keep-alive Agent, one with createConnection.
async function httpExchange(net) {
    const httpServer = http.createServer((req, res) => res.end(`hello ${req.url}`));
    const server = net.createServer((socket) => httpServer.emit('connection', socket));
    const { port } = await listen(server, 0, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agent.createConnection = (options, cb) => net.createConnection({ port: options.port, host: options.host }, cb);
    const sockets = new Set();
    const bodies = [];
    for (const url of ['/a', '/b', '/c']) {
      bodies.push(await new Promise((resolve, reject) => {
        const req = http.request({ port, host: '127.0.0.1', path: url, agent }, (res) => {
          sockets.add(req.socket);
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => { body += d; });
          res.on('end', () => resolve(`${res.statusCode} ${body}`));
        });
        req.on('error', reject);
        req.end();
      }));
    }
    const oneShot = await new Promise((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', path: '/direct', createConnection: net.createConnection, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
    agent.destroy();
    httpServer.close();
    await close(server);
    return { bodies, socketsUsed: sockets.size, oneShot };
}

test('http.request over the module: Agent with its createConnection, and createConnection per request', async () => {
  await sameOnBoth(async (net) => {
    const { bodies, oneShot } = await httpExchange(net);
    return { bodies, oneShot };
  });
});

// Node 22+'s Agent restarts reading on a pooled socket's _handle and checks handle.reading.
const denoAgent = Boolean(process.versions.deno)
  && "Deno's http.Agent opens a new connection for each request even with keepAlive, over built-in net too";

test('a keep-alive http.Agent reuses one cnet socket for sequential requests', { skip: denoAgent }, async () => {
  const { cnet } = require('./helpers/modules');
  const { socketsUsed } = await httpExchange(cnet);
  assert.strictEqual(socketsUsed, 1);
});
