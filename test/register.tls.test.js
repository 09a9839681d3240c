'use strict';
// Real TLS clients and servers through cnet/register, each workload run twice in
// a child of the runtime under test: on built-in net, then with `-r register.js`
// (cnet); what the clients and servers saw must be the same, and under register
// their sockets must be cnet's.
// - smtp-server with implicit TLS (secure: true: each accepted socket wrapped in
//   a TLSSocket) receiving three messages (one of 1 MiB) from nodemailer, which
//   upgrades a socket from require('net') with tls.connect({ socket });
// - basic-ftp with explicit FTPS (AUTH TLS; it sets an encoding on the control
//   socket before upgrading it) against ftp-srv (which wraps its control socket
//   and forwards the TLSSocket's events to the plain one): upload, list and
//   download of 1 MiB over TLS data connections.
// - mysql2 with `ssl` against a minimal MySQL server (fixtures/register/mysql2-tls.js):
//   it upgrades its socket with tls.connect({ socket, secureContext }), which
//   TLS in C takes when the context came from tls.createSecureContext.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { runJsonFixture } = require('./helpers/child-args');

const root = path.join(__dirname, '..');
const registerPath = path.join(root, 'register.js');
const fixtures = path.join(__dirname, 'fixtures', 'register');

// Runs a fixture in a child of this runtime; resolves with the JSON line it printed.
function runFixture(runtimeArgs, fixture) {
  return runJsonFixture(runtimeArgs, path.join(fixtures, fixture), [], root);
}

// The same workload without and with register; `proof` names the fields that
// say which module's sockets ran it (all false on net, all true on cnet).
async function sameWithRegister(fixture, proof) {
  const onNet = await runFixture([], fixture);
  const onCnet = await runFixture(['-r', registerPath], fixture);
  const split = (result) => {
    const rest = { ...result };
    const shown = {};
    for (const key of proof) {
      shown[key] = rest[key];
      delete rest[key];
    }
    return { rest, shown };
  };
  const net = split(onNet);
  const cnet = split(onCnet);
  assert.deepStrictEqual(cnet.rest, net.rest);
  const all = (value) => Object.fromEntries(proof.map((key) => [key, Array.isArray(net.shown[key]) ? net.shown[key].map(() => value) : value]));
  assert.deepStrictEqual(net.shown, all(false));
  assert.deepStrictEqual(cnet.shown, all(true));
  return cnet.rest;
}

test('smtp-server with implicit TLS receives nodemailer\'s messages through cnet/register as through net (client address, secure session, 1 MiB message)',
  { timeout: 60000 }, async () => {
    const seen = await sameWithRegister('smtp-secure.js', ['serverIsCnet', 'clientSockets']);
    assert.deepStrictEqual(seen.received.map((m) => [m.subject, m.remoteAddress, m.secure, m.overOneMiB]), [
      ['one', '127.0.0.1', true, false],
      ['two', '127.0.0.1', true, false],
      ['three', '127.0.0.1', true, true],
    ]);
  });

test('mysql2 with ssl through cnet/register as through net: TLS upgrade after its SSLRequest with a secureContext, login, ping and a 1 MiB query',
  { timeout: 60000 }, async () => {
    const seen = await sameWithRegister('mysql2-tls.js', ['clientTlsInC']);
    assert.deepStrictEqual(seen.client.encrypted, true);
    assert.deepStrictEqual(seen.server, { secure: true, commands: ['login', 14, 3], sameQuery: true });
  });

// Bun: ftp-srv wraps its control socket from promise jobs that follow the write
// callback of its "234" reply; Bun runs such jobs after all events of the
// private loop's turn (README Limitations), so basic-ftp's ClientHello (sent in
// the same process on reading "234") reaches ftp-srv's command parser first and
// ftp-srv answers it in plain text.
const bunTurnOrder = Boolean(process.versions.bun) && 'on Bun, promise jobs run after all events of a loop turn, so ftp-srv wraps its control socket after the client\'s ClientHello has reached its command parser';

// Deno: the workload fails on Deno's own net and tls (no cnet in the process):
// the upload over the TLS data connection (STOR) never completes, and
// basic-ftp's control socket times out.
const denoFtpsUpload = Boolean(process.versions.deno) && 'on Deno, the FTPS upload over a TLS data connection never completes on Deno\'s own net and tls, so there is no reference run to compare cnet with';

test('basic-ftp with explicit FTPS against ftp-srv through cnet/register as through net (AUTH TLS, upload, list, download 1 MiB)',
  { timeout: 60000, skip: bunTurnOrder || denoFtpsUpload }, async () => {
    const seen = await sameWithRegister('ftps.js', ['serverIsCnet', 'controlIsCnet']);
    assert.deepStrictEqual(seen, {
      encrypted: true,
      uploadCode: 226,
      list: [{ name: 'one.txt', size: 1 << 20 }],
      downloadEqual: true,
      pwd: '/',
      logins: [{ secure: true, ip: '127.0.0.1' }],
    });
  });
