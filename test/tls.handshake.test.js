'use strict';
// What TLS over a module's socket reports about its handshake (protocol, cipher,
// certificates, ALPN, SNI, verification, resumption) and how it carries data,
// compared between built-in net and cnet. Over cnet these sockets get TLS in C
// (lib/tls-socket.js) whenever their options allow it, so these are its checks.
const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const tls = require('tls');
const { sameOnBoth, listen, close, once, pattern, sha, cnet, thrown } = require('./helpers/modules');

// The self-signed test certificate for localhost/127.0.0.1 (test/fixtures/tls).
const key = fs.readFileSync(path.join(__dirname, 'fixtures', 'tls', 'key.pem'));
const cert = fs.readFileSync(path.join(__dirname, 'fixtures', 'tls', 'cert.pem'));

// A TCP server whose accepted sockets become TLSSockets with serverOptions, and
// a client socket of the same module layered with tls.connect(clientOptions).
// Resolves once both ends are secure or one of them failed.
async function handshake(net, serverOptions, clientOptions) {
  const ends = { serverErrors: [], clientErrors: [] };
  let settle;
  const serverSettled = new Promise((resolve) => { settle = resolve; });
  // What the server saw up to the end of its handshake (later errors, such as
  // EPIPE on a ticket sent as the refusing client leaves, are a race).
  const serverDone = () => settle([...ends.serverErrors]);
  const server = net.createServer((raw) => {
    ends.accepted = raw;
    const secure = new tls.TLSSocket(raw, { isServer: true, key, cert, ...serverOptions });
    ends.server = secure;
    secure.on('secure', () => serverDone());
    secure.on('error', (err) => { ends.serverErrors.push(err); serverDone(); });
    secure.on('close', () => serverDone());
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  ends.tcpServer = server;
  ends.raw = net.connect(port, '127.0.0.1');
  await once(ends.raw, 'connect');
  ends.client = tls.connect({ socket: ends.raw, ...clientOptions });
  await new Promise((resolve) => {
    ends.client.on('secureConnect', resolve);
    ends.client.on('error', (err) => { ends.clientErrors.push(err); resolve(); });
  });
  ends.serverErrorsInHandshake = await serverSettled;
  return ends;
}

async function finish(ends) {
  ends.client.destroy();
  if (!ends.accepted.destroyed) await once(ends.accepted, 'close');
  await close(ends.tcpServer);
}

function tlsErrorShape(err) {
  return err ? { code: err.code, reason: err.reason, library: err.library } : null;
}

function certificateShape(certificate) {
  if (!certificate || Object.keys(certificate).length === 0) return certificate;
  return {
    subject: { ...certificate.subject },
    issuer: { ...certificate.issuer },
    subjectaltname: certificate.subjectaltname,
    valid_from: certificate.valid_from,
    valid_to: certificate.valid_to,
    fingerprint256: certificate.fingerprint256,
    serialNumber: certificate.serialNumber,
    bits: certificate.bits,
    selfIssued: certificate.issuerCertificate ? certificate.issuerCertificate.fingerprint256 === certificate.fingerprint256 : 'none',
  };
}

function cipherShape(cipher) {
  return cipher && { name: cipher.name, standardName: cipher.standardName, version: cipher.version };
}

test('TLS over a module socket: both ends report the same protocol, cipher, certificates, ALPN and server name', { timeout: 20000 }, async () => {
  const seen = await sameOnBoth(async (net) => {
    const ends = await handshake(net, { ALPNProtocols: ['h2', 'http/1.1'] },
      { ca: cert, servername: 'localhost', ALPNProtocols: ['http/1.1', 'spdy/3'] });
    const { client, server } = ends;
    const observed = {
      client: {
        authorized: client.authorized,
        authorizationError: client.authorizationError,
        encrypted: client.encrypted,
        protocol: client.getProtocol(),
        cipher: cipherShape(client.getCipher()),
        alpnProtocol: client.alpnProtocol,
        peerCertificate: certificateShape(client.getPeerCertificate(true)),
        certificate: certificateShape(client.getCertificate()),
        sessionReused: client.isSessionReused(),
        finishedBytes: client.getFinished().length,
        peerFinishedBytes: client.getPeerFinished().length,
      },
      server: {
        authorized: server.authorized,
        protocol: server.getProtocol(),
        cipher: cipherShape(server.getCipher()),
        alpnProtocol: server.alpnProtocol,
        servername: server.servername,
        peerCertificate: certificateShape(server.getPeerCertificate()),
        certificate: certificateShape(server.getCertificate()),
        sessionReused: server.isSessionReused(),
      },
      // Both ends derive the same keys, and each end's Finished is the other's peer Finished.
      sameKeyingMaterial: client.exportKeyingMaterial(32, 'cnet-test').equals(server.exportKeyingMaterial(32, 'cnet-test')),
      finishedCrossed: client.getFinished().equals(server.getPeerFinished())
        && server.getFinished().equals(client.getPeerFinished()),
      errors: [...ends.clientErrors, ...ends.serverErrors].map(tlsErrorShape),
    };
    await finish(ends);
    return observed;
  });
  assert.strictEqual(seen.client.authorized, true);
  assert.strictEqual(seen.client.alpnProtocol, 'http/1.1');
});

test('TLS over a module socket: cnet runs the TLS itself on the socket\'s handle (no stream adapter) and says what it does not offer', { timeout: 20000 }, async () => {
  const ends = await handshake(cnet, {}, { ca: cert, servername: 'localhost' });
  for (const end of [ends.client, ends.server]) {
    assert.ok(end instanceof tls.TLSSocket);
    assert.ok(end instanceof cnet.Socket, 'the TLSSocket is a cnet socket that took over the handle');
    assert.strictEqual(typeof end._handle.tlsQuery, 'function');
  }
  // What it does not offer fails clearly (docs/tls.md), not as "is not a function".
  assert.throws(() => ends.client.getEphemeralKeyInfo(), { code: 'ERR_METHOD_NOT_IMPLEMENTED' });
  const [renegotiateError] = await new Promise((resolve) => {
    assert.strictEqual(ends.client.renegotiate({}, (...a) => resolve(a)), false);
  });
  assert.strictEqual(renegotiateError.code, 'ERR_TLS_RENEGOTIATE');
  await finish(ends);
});

// Whether an end runs TLS in C on a cnet handle (else the runtime's TLS does).
function inC(end) {
  return end instanceof cnet.Socket && typeof end._handle?.tlsQuery === 'function';
}

// mysql2 (tls.connect) and smtp-server (new tls.TLSSocket) pass a secureContext
// made by tls.createSecureContext, with options the connect itself ignores.
test('TLS over a module socket with secureContexts from tls.createSecureContext: the same handshake on both ends, in C over cnet', { timeout: 20000 }, async () => {
  // cnet takes over tls with its first socket: contexts made after it are
  // known to it (mysql2 makes its context once its connection is up).
  new cnet.Socket().destroy();
  await sameOnBoth(async (net) => {
    const ends = await handshake(net, { secureContext: tls.createSecureContext({ key, cert }) }, {
      secureContext: tls.createSecureContext({ ca: cert, minVersion: 'TLSv1.2' }),
      servername: 'localhost',
      rejectUnauthorized: true,
      requestCert: true,
      isServer: false,
      checkServerIdentity: tls.checkServerIdentity,
    });
    const { client, server } = ends;
    if (net === cnet) assert.deepStrictEqual([inC(client), inC(server)], [true, true]);
    const payload = pattern(256 * 1024);
    server.end(payload);
    const chunks = [];
    client.on('data', (d) => chunks.push(d));
    await once(client, 'end');
    const observed = {
      authorized: client.authorized,
      protocol: client.getProtocol(),
      serverProtocol: server.getProtocol(),
      cipher: cipherShape(client.getCipher()),
      peerCertificate: certificateShape(client.getPeerCertificate()),
      servername: server.servername,
      received: sha(Buffer.concat(chunks)) === sha(payload),
      errors: [...ends.clientErrors, ...ends.serverErrors].map(tlsErrorShape),
    };
    await finish(ends);
    return observed;
  });
});

// Node's SecureContext can be changed after it was made (context.addCACert()):
// TLS in C cannot see that, so such a context stays with the runtime's TLS.
const canAddCA = typeof tls.createSecureContext({}).context?.addCACert === 'function'
  || 'this runtime\'s secure contexts have no addCACert()';
test('TLS over a module socket with a secureContext changed after it was made: the change holds, the runtime\'s TLS runs it over cnet', { timeout: 20000, skip: canAddCA === true ? false : canAddCA }, async () => {
  await sameOnBoth(async (net) => {
    const secureContext = tls.createSecureContext({});
    secureContext.context.addCACert(cert);
    const ends = await handshake(net, {}, { secureContext, servername: 'localhost' });
    if (net === cnet) assert.strictEqual(inC(ends.client), false);
    const observed = {
      authorized: ends.client.authorized,
      errors: [...ends.clientErrors, ...ends.serverErrors].map(tlsErrorShape),
    };
    await finish(ends);
    return observed;
  });
});

test('TLS over a module socket: exportKeyingMaterial() refuses bad arguments and a handshake not done yet with the same errors, and takes any view as context', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    let beforeHandshake;
    const server = net.createServer((raw) => {
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
      beforeHandshake = thrown(() => secure.exportKeyingMaterial(16, 'label'));
      secure.on('data', () => {});
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    const context = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const keys = client.exportKeyingMaterial(32, 'label', context);
    const observed = {
      beforeHandshake,
      badArguments: [
        [0, 'label'], [-3, 'label'], [1.5, 'label'], ['32', 'label'], [2 ** 32, 'label'],
        [32, null], [32, 'label', 'text'], [32, 'label', 1234],
      ].map((a) => thrown(() => client.exportKeyingMaterial(...a))),
      dataViewSameAsBuffer: client.exportKeyingMaterial(32, 'label', new DataView(context.buffer, context.byteOffset, 8)).equals(keys),
      uint16SameAsBuffer: client.exportKeyingMaterial(32, 'label', new Uint16Array(context.buffer.slice(context.byteOffset, context.byteOffset + 8))).equals(keys),
      emptyContextDiffers: !client.exportKeyingMaterial(32, 'label', Buffer.alloc(0)).equals(keys),
    };
    client.destroy();
    await close(server);
    return observed;
  });
});

// Each case: server options, client options; what both ends see.
const failures = {
  'no trusted issuer': [{}, { servername: 'localhost' }],
  'a name the certificate does not hold': [{}, { ca: cert, servername: 'example.com' }],
  'rejectUnauthorized: false with no trusted issuer': [{}, { servername: 'localhost', rejectUnauthorized: false }],
  'checkServerIdentity refusing': [{}, {
    ca: cert, servername: 'localhost', checkServerIdentity: () => Object.assign(new Error('not this one'), { code: 'E_TEST_IDENTITY' }),
  }],
  'no common ALPN protocol': [{ ALPNProtocols: ['h2'] }, { ca: cert, servername: 'localhost', ALPNProtocols: ['http/1.1'] }],
  'no common protocol version': [{ minVersion: 'TLSv1.3' }, { ca: cert, servername: 'localhost', maxVersion: 'TLSv1.2' }],
  'no common cipher': [{ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' },
    { ca: cert, servername: 'localhost', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384', maxVersion: 'TLSv1.2' }],
};

for (const [name, [serverOptions, clientOptions]] of Object.entries(failures)) {
  test(`TLS over a module socket, ${name}: the same errors, authorization and close on both ends`, { timeout: 20000 }, async () => {
    await sameOnBoth(async (net) => {
      const ends = await handshake(net, serverOptions, clientOptions);
      const clientClosed = ends.client.destroyed ? null : once(ends.client, 'close');
      const observed = {
        clientErrors: ends.clientErrors.map((err) => ({ ...tlsErrorShape(err), message: err.code ? undefined : err.message })),
        serverErrors: ends.serverErrorsInHandshake.map(tlsErrorShape),
        authorized: ends.client.authorized,
        authorizationError: ends.client.authorizationError,
        clientDestroyed: ends.client.destroyed,
      };
      if (clientClosed && !observed.clientDestroyed) ends.client.end();
      await clientClosed;
      observed.rawClientDestroyed = ends.raw.destroyed;
      await finish(ends);
      return observed;
    }, {
      // Bun and Deno: cnet's TLS uses the system's libssl (3.0 here), the record
      // Node 24's own; OpenSSL 3.2 renamed the alert reasons 'sslv3 alert ...' to 'ssl/tls alert ...'.
      onPrivateLoop: (observed) => JSON.parse(JSON.stringify(observed).replace(/SSLV3_ALERT|SSL\/TLS_ALERT/g, 'ALERT')
        .replace(/sslv3 alert|ssl\/tls alert/g, 'alert')),
    });
  });
}

for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
  test(`TLS over a module socket, ${maxVersion}: a session from one connection resumes the next against a tls.Server`, { timeout: 20000 }, async () => {
    await sameOnBoth(async (net) => {
      const tlsServer = tls.createServer({ key, cert, maxVersion }, (secure) => secure.end('x'));
      const server = net.createServer((raw) => tlsServer.emit('connection', raw));
      const { port } = await listen(server, 0, '127.0.0.1');
      const connectOnce = async (session) => {
        const raw = net.connect(port, '127.0.0.1');
        await once(raw, 'connect');
        const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost', session });
        let latest = null;
        client.on('session', (s) => { latest = s; });
        client.resume();
        // Listened for before the handshake: on Bun and Deno promise jobs run
        // after the loop turn, and the server's answer may end in the same one.
        const ended = once(client, 'end');
        await once(client, 'secureConnect');
        const reused = client.isSessionReused();
        await ended;
        client.end();
        await once(raw, 'close');
        return { reused, session: latest };
      };
      const first = await connectOnce(undefined);
      const second = await connectOnce(first.session);
      await close(server);
      return { firstReused: first.reused, gotSession: Buffer.isBuffer(first.session), secondReused: second.reused };
    });
  });
}

test('TLS over a module socket with allowHalfOpen: after the client ends, the server still answers 3 MiB, and both see every byte', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const request = pattern(1 << 20, 7);
    const answer = pattern(3 << 20, 9);
    const log = [];
    let serverClosed;
    const server = net.createServer({ allowHalfOpen: true }, (raw) => {
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
      const parts = [];
      secure.on('data', (d) => parts.push(d));
      secure.on('end', () => {
        const got = Buffer.concat(parts);
        log.push(`server:end(${got.length},${sha(got) === sha(request)})`);
        secure.end(answer);
      });
      serverClosed = once(secure, 'close').then(() => log.push('server:close'));
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    const parts = [];
    client.on('data', (d) => parts.push(d));
    client.end(request);
    await once(client, 'end');
    const got = Buffer.concat(parts);
    log.push(`client:end(${got.length},${sha(got) === sha(answer)})`);
    await once(client, 'close');
    await serverClosed;
    await close(server);
    return log.sort();
  });
});

// A client of the runtime's own (tls.connect to the port) renegotiating a
// TLS 1.2 session with a server socket of the module, `times` times in a row.
async function renegotiations(net, times, disable) {
  let serverError = null;
  let serverSecure;
  const server = net.createServer((raw) => {
    serverSecure = new tls.TLSSocket(raw, { isServer: true, key, cert, maxVersion: 'TLSv1.2' });
    if (disable) serverSecure.disableRenegotiation();
    serverSecure.on('error', (err) => { serverError = err.code; });
    serverSecure.resume();
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  const client = tls.connect({ port, host: '127.0.0.1', ca: cert, servername: 'localhost', maxVersion: 'TLSv1.2' });
  client.on('error', () => {});
  await once(client, 'secureConnect');
  const outcomes = [];
  for (let i = 0; i < times && !client.destroyed; i++) {
    const [err] = await new Promise((resolve) => {
      if (!client.renegotiate({}, (...a) => resolve(a))) resolve([new Error('not started')]);
    });
    outcomes.push(err ? 'failed' : 'renegotiated');
  }
  client.destroy();
  if (!serverSecure.destroyed) await once(serverSecure, 'close');
  await close(server);
  return { outcomes, serverError };
}

// Node's tls.CLIENT_RENEG_LIMIT and disableRenegotiation() report through a
// tls.Server; a server TLSSocket made without one takes every renegotiation.
// The renegotiating client is the runtime's own, and Bun's and Deno's do not renegotiate.
const clientRenegotiates = !process.versions.bun && !process.versions.deno
  || 'the runtime\'s own TLS client (Bun: BoringSSL, Deno: rustls) does not renegotiate';
for (const disable of [false, true]) {
  test(`TLS over a module socket as a server${disable ? ' after disableRenegotiation()' : ''}: a client renegotiates a TLS 1.2 session 5 times`, { timeout: 20000, skip: clientRenegotiates === true ? false : clientRenegotiates }, async () => {
    const seen = await sameOnBoth((net) => renegotiations(net, 5, disable));
    assert.strictEqual(seen.outcomes.length, 5);
  });
}

test('TLS over a module socket: a client that leaves right after its handshake ends the server socket without an error', { timeout: 20000 }, async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    let serverClosed;
    const server = net.createServer((raw) => {
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
      // 'secure' itself races with the client's going: whether it comes first is not compared.
      secure.on('error', (err) => log.push(`server:error(${err.code})`));
      secure.on('end', () => log.push('server:end'));
      serverClosed = once(secure, 'close').then(([hadError]) => log.push(`server:close(${hadError})`));
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const client = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
    await once(client, 'secureConnect');
    client.destroy();
    await once(client, 'close');
    while (!serverClosed) await new Promise((resolve) => setImmediate(resolve));
    await serverClosed;
    await close(server);
    return log;
  });
});
