'use strict';
// `npm run test:valgrind`: a short soak of cnet under valgrind's memcheck.
// It runs node on this same file with `--soak` under
//   valgrind --leak-check=full --errors-for-leak-kinds=definite
// and parses the log: definitely-lost blocks whose allocation stack passes through
// cnet.node, and invalid reads/writes/frees whose stack passes through cnet.node,
// must both be 0. Node's own leaks and errors (no cnet.node frame) are counted and
// shown but do not fail the run. The soak is fixed-size (connections x messages),
// so the run is bounded; a watchdog kills valgrind after --limit seconds (default 360).
const path = require('path');
const fs = require('fs');
const os = require('os');
const { spawn, spawnSync } = require('child_process');

function option(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}

const CONNECTIONS = option('connections', 200);
const MESSAGES = option('messages', 10);

// The soak: an echo server and CONNECTIONS clients exchanging MESSAGES messages each,
// plus the paths where native memory is most often mishandled: a destroy() with a
// write pending, a destroy() during connect, refused connects, a server close with
// live connections, a Unix socket and TLS. Prints a JSON tally and exits by itself.
function soak() {
  const net = require(process.env.CNET_VALGRIND_NET || path.join(__dirname, '..', 'lib', 'net.js'));
  const tally = { echoed: 0, closed: 0, refused: 0, destroyedPending: 0, destroyedConnecting: 0, pipe: 0, tls: 0, errors: [] };
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.on('data', (d) => socket.write(d));
    socket.on('end', () => socket.end());
    socket.on('error', () => {});
  });
  const once = (emitter, event) => new Promise((resolve) => emitter.once(event, resolve));
  const exchange = (port) => new Promise((resolve) => {
    const client = net.connect(port, '127.0.0.1');
    const message = Buffer.alloc(100 + Math.floor(Math.random() * 4000), 'x');
    let got = 0;
    let sent = 0;
    client.on('connect', () => { client.write(message); sent++; });
    client.on('data', (d) => {
      got += d.length;
      tally.echoed += d.length;
      if (got === sent * message.length) {
        if (sent === MESSAGES) client.end();
        else { client.write(message); sent++; }
      }
    });
    client.on('error', (e) => tally.errors.push(e.code));
    client.on('close', () => { tally.closed++; resolve(); });
  });
  (async () => {
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    await Promise.all(Array.from({ length: CONNECTIONS }, () => exchange(port)));

    // destroy() with a large write pending to a peer that does not read.
    const silent = net.createServer((s) => { s.pause(); s.on('error', () => {}); setTimeout(() => s.destroy(), 200); });
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    await Promise.all(Array.from({ length: 10 }, async () => {
      const c = net.connect(silent.address().port, '127.0.0.1');
      c.on('error', () => {});
      await once(c, 'connect');
      c.write(Buffer.alloc(2 * 1024 * 1024));
      c.write('more', () => {});
      c.destroy();
      await once(c, 'close');
      tally.destroyedPending++;
    }));
    // destroy() during connect, and refused connects.
    await Promise.all(Array.from({ length: 10 }, async () => {
      const c = net.connect(port, '127.0.0.1');
      c.write('queued', () => {});
      c.destroy();
      await once(c, 'close');
      tally.destroyedConnecting++;
    }));
    const closedPort = silent.address().port;
    await new Promise((resolve) => silent.close(resolve));
    await Promise.all(Array.from({ length: 20 }, async () => {
      const c = net.connect(closedPort, '127.0.0.1');
      c.on('error', (e) => { if (e.code === 'ECONNREFUSED') tally.refused++; });
      await once(c, 'close');
    }));
    // A Unix socket round trip.
    const sockPath = path.join(os.tmpdir(), `cnet-valgrind-${process.pid}.sock`);
    const pipeServer = net.createServer((s) => s.end('pipe-ok'));
    await new Promise((resolve) => pipeServer.listen(sockPath, resolve));
    await Promise.all(Array.from({ length: 5 }, async () => {
      const c = net.connect(sockPath);
      c.on('data', () => { tally.pipe++; });
      await once(c, 'close');
    }));
    await new Promise((resolve) => pipeServer.close(resolve));
    // TLS over cnet sockets (TLS in C): data and end, the client's destroy,
    // the plain socket's destroy, and a handshake refused for an untrusted certificate.
    const tls = require('tls');
    const tlsFixtures = path.join(__dirname, 'fixtures', 'tls');
    const key = fs.readFileSync(path.join(tlsFixtures, 'key.pem'));
    const cert = fs.readFileSync(path.join(tlsFixtures, 'cert.pem'));
    const tlsServer = net.createServer((raw) => {
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert });
      secure.on('data', (d) => secure.write(d));
      secure.on('error', () => {});
    });
    await new Promise((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    for (let i = 0; i < 20; i++) {
      const raw = net.connect(tlsServer.address().port, '127.0.0.1');
      await once(raw, 'connect');
      const kind = i % 4;
      const client = tls.connect({ socket: raw, ca: kind === 3 ? undefined : cert, servername: 'localhost' });
      client.on('error', (e) => { if (kind !== 3) tally.errors.push(`tls:${e.code}`); });
      client.on('secureConnect', () => {
        if (kind === 0) {
          client.write('secret');
          client.once('data', () => client.end());
        } else if (kind === 1) client.destroy();
        else raw.destroy();
      });
      await once(client, 'close');
      tally.tls++;
    }
    await new Promise((resolve) => tlsServer.close(resolve));
    // Server close() with live connections, which then end.
    const acceptedBefore = accepted;
    const live = await Promise.all(Array.from({ length: 10 }, async () => {
      const c = net.connect(port, '127.0.0.1');
      c.resume();
      c.on('error', (e) => tally.errors.push(`live:${e.code}`));
      await once(c, 'connect');
      return c;
    }));
    // Closing the listener resets connections still in its accept queue: wait for them.
    while (accepted < acceptedBefore + live.length) await new Promise((r) => setTimeout(r, 5));
    const serverClosed = new Promise((resolve) => server.close(resolve));
    for (const c of live) c.end('bye');
    await serverClosed;
    process.stdout.write(`${JSON.stringify(tally)}\n`);
  })();
}

if (process.argv.includes('--soak')) {
  soak();
} else {
  main();
}

// Groups valgrind's log into records: consecutive lines of one message.
function records(text) {
  const out = [];
  let current = [];
  for (const raw of text.split('\n')) {
    const m = raw.match(/^==\d+== ?(.*)$/);
    if (!m) continue;
    const line = m[1];
    if (line.trim() === '') {
      if (current.length) out.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length) out.push(current);
  return out;
}

function main() {
  const which = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (which.error || which.status !== 0) {
    console.error('valgrind: not installed (Debian/Ubuntu: apt-get install valgrind)');
    process.exit(1);
  }
  const limitSeconds = option('limit', 360);
  const logFile = path.join(os.tmpdir(), `cnet-valgrind-${process.pid}.log`);
  const args = [
    '--leak-check=full', '--errors-for-leak-kinds=definite', '--show-leak-kinds=definite',
    '--num-callers=50', '--trace-children=no', `--log-file=${logFile}`,
    // V8 generates code at run time; --jitless keeps memcheck from having to track it.
    process.execPath, '--jitless', __filename, '--soak', `--connections=${CONNECTIONS}`, `--messages=${MESSAGES}`,
  ];
  console.log(`valgrind: ${CONNECTIONS} connections x ${MESSAGES} messages, ${which.stdout.trim()}, limit ${limitSeconds} s`);
  const started = Date.now();
  const child = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const watchdog = setTimeout(() => {
    console.error(`valgrind: still running after ${limitSeconds} s, killed`);
    child.kill('SIGKILL');
  }, limitSeconds * 1000);
  child.on('exit', (code, signal) => {
    clearTimeout(watchdog);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    const all = records(log);
    const inCnet = (rec) => rec.some((l) => /cnet\.node/.test(l));
    const definite = all.filter((rec) => /definitely lost in loss record/.test(rec[0]));
    const blocksOf = (rec) => Number((rec[0].match(/in ([\d,]+) blocks? are definitely lost/) || [0, '0'])[1].replace(/,/g, ''));
    const bytesOf = (rec) => Number((rec[0].match(/^([\d,]+) (?:\([^)]*\) )?bytes/) || [0, '0'])[1].replace(/,/g, ''));
    const cnetDefinite = definite.filter(inCnet);
    const invalid = all.filter((rec) => /^(Invalid (read|write|free)|Mismatched free|Use of uninitialised|Conditional jump|Syscall param)/.test(rec[0]));
    const cnetInvalidAccess = invalid.filter((rec) => /^(Invalid (read|write|free)|Mismatched free)/.test(rec[0]) && inCnet(rec));
    // V8's garbage collector scans the machine stack conservatively and so reads
    // stack words nobody initialised; those reports say nothing about cnet even
    // when a cnet frame is further down the stack.
    const stackScan = (rec) => /IteratePointersInStack/.test(rec[1] || '');
    const cnetUninitialised = invalid.filter((rec) => /^(Use of uninitialised|Conditional jump|Syscall param)/.test(rec[0])
      && inCnet(rec) && !stackScan(rec));
    const summary = (log.match(/definitely lost: .*/) || ['definitely lost: (no leak summary)'])[0];
    let tally = null;
    try { tally = JSON.parse(stdout.trim().split('\n').pop()); } catch { /* reported below */ }
    const figures = {
      seconds: Number(seconds),
      exit: signal || code,
      soak: tally,
      leakSummaryAllCode: summary,
      definitelyLostRecords: definite.length,
      definitelyLostRecordsFromCnet: cnetDefinite.length,
      definitelyLostBlocksFromCnet: cnetDefinite.reduce((n, r) => n + blocksOf(r), 0),
      definitelyLostBytesFromCnet: cnetDefinite.reduce((n, r) => n + bytesOf(r), 0),
      invalidAccessInCnet: cnetInvalidAccess.length,
      uninitialisedUseInCnet: cnetUninitialised.length,
      otherErrorRecords: invalid.length - cnetInvalidAccess.length - cnetUninitialised.length,
      log: logFile,
    };
    console.log(JSON.stringify(figures, null, 2));
    for (const rec of [...cnetDefinite, ...cnetInvalidAccess, ...cnetUninitialised].slice(0, 10)) console.log(`\n${rec.join('\n')}`);
    const violations = [];
    if (signal || code !== 0) violations.push(`node under valgrind ended with ${signal || `exit code ${code}`}`);
    if (!tally) violations.push('the soak printed no tally');
    else {
      if (tally.closed !== CONNECTIONS) violations.push(`${tally.closed} of ${CONNECTIONS} connections completed`);
      if (tally.errors.length) violations.push(`soak errors: ${tally.errors.slice(0, 5).join(', ')}`);
    }
    if (cnetDefinite.length) violations.push(`${figures.definitelyLostBlocksFromCnet} definitely-lost blocks from cnet.node`);
    if (cnetInvalidAccess.length) violations.push(`${cnetInvalidAccess.length} invalid reads/writes/frees in cnet.node`);
    if (cnetUninitialised.length) violations.push(`${cnetUninitialised.length} uses of uninitialised values in cnet.node`);
    console.log(violations.length ? `valgrind: FAIL\n  ${violations.join('\n  ')}` : 'valgrind: PASS');
    process.exit(violations.length ? 1 : 0);
  });
}
