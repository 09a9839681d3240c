'use strict';
// A scenario server in its own process:
//   <runtime> bench/scenarios/server-main.js <net|cnet> <echo|sink|source|http> [host]
// Prints one JSON line {"port","pid","runtime"} once listening (or {"error"}
// and exits 1). Then reads commands on stdin, one per line:
//   mem   collect garbage, answer {"rss","heapUsed",...} as one JSON line
//   exit  exit at once (also when stdin ends)

const { loadImpl, runtimeName, collectGarbage } = require('./common');
const { SERVERS } = require('./servers');

const [impl, mode, host = '127.0.0.1'] = process.argv.slice(2);

function reply(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function fatal(err) {
  const msg = err && err.message ? err.message : String(err);
  reply({ error: msg.split('\n')[0] });
  process.exit(1);
}

let net;
try {
  net = loadImpl(impl);
  if (!SERVERS[mode]) throw new Error(`unknown server mode ${mode}`);
} catch (err) {
  fatal(err);
}

let server;
try {
  server = SERVERS[mode](net);
  server.on('error', fatal);
  server.listen({ port: 0, host, backlog: 4096 }, () => {
    reply({ port: server.address().port, pid: process.pid, runtime: runtimeName(), impl });
  });
} catch (err) {
  fatal(err);
}

let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\n')) !== -1) {
    const cmd = buf.slice(0, nl).trim();
    buf = buf.slice(nl + 1);
    if (cmd === 'mem') {
      const gcOk = collectGarbage();
      setTimeout(() => {
        collectGarbage();
        const m = process.memoryUsage();
        reply({ gc: gcOk, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal,
          external: m.external, arrayBuffers: m.arrayBuffers });
      }, 50);
    } else if (cmd === 'exit') {
      process.exit(0);
    }
  }
});
process.stdin.on('end', () => process.exit(0));
