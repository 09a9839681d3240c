'use strict';
// A scenario server in its own process:
//   <runtime> bench/scenarios/server-main.js <net|cnet> <echo|sink|source|http> [host] [--cluster=rr|reuseport]
// Prints one JSON line {"port","pid","runtime"} once listening (or {"error"}
// and exits 1). With --cluster this process is a cluster primary and two
// workers serve: through the primary (rr: it accepts and hands each
// connection over) or each with its own socket (reuseport: the kernel
// balances); the line then also lists every process's pid ("pids"). Then reads commands on stdin, one per line:
//   mem   collect garbage, answer {"rss","heapUsed",...} as one JSON line
//   exit  exit at once (also when stdin ends)

const { loadImpl, runtimeName, collectGarbage } = require('./common');
const { SERVERS } = require('./servers');

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const [impl, mode, host = '127.0.0.1'] = positional;
const clusterArg = process.argv.find((a) => a.startsWith('--cluster='));
const clusterMode = clusterArg ? clusterArg.slice('--cluster='.length) : null;
const WORKERS = 2;

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

// The primary of --cluster: forks the workers, answers once all listen.
function startCluster(cluster) {
  const begin = (port) => {
    const workers = Array.from({ length: WORKERS }, () => cluster.fork({ BENCH_CLUSTER_PORT: String(port) }));
    let listening = 0;
    let sharedPort = port;
    // Each worker says so itself: a reusePort listen does not tell the primary (as in Node 24's net).
    cluster.on('message', (worker, message) => {
      if (!message || typeof message.listeningOn !== 'number') return;
      sharedPort = message.listeningOn;
      if (++listening === WORKERS) {
        reply({ port: sharedPort, pid: process.pid, pids: [process.pid, ...workers.map((w) => w.process.pid)],
          runtime: runtimeName(), impl });
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      if (!exiting) fatal(new Error(`worker exited (${code}, ${signal})`));
    });
    process.on('exit', () => { for (const w of workers) w.process.kill(); });
  };
  if (clusterMode === 'rr') {
    begin(0);
    return;
  }
  // reuseport: every worker binds the same free port itself.
  const probe = require('net').createServer().listen(0, host, () => {
    const { port } = probe.address();
    probe.close(() => begin(port));
  });
}

let exiting = false;
let server;
try {
  const cluster = clusterMode ? require('cluster') : null;
  if (cluster && cluster.isPrimary !== false && !cluster.isWorker) {
    if (clusterMode !== 'rr' && clusterMode !== 'reuseport') throw new Error(`unknown cluster mode ${clusterMode}`);
    startCluster(cluster);
  } else {
    server = SERVERS[mode](net);
    server.on('error', fatal);
    const port = cluster ? Number(process.env.BENCH_CLUSTER_PORT) : 0;
    server.listen({ port, host, backlog: 4096, reusePort: clusterMode === 'reuseport' }, () => {
      if (cluster) process.send({ listeningOn: server.address().port });
      else reply({ port: server.address().port, pid: process.pid, runtime: runtimeName(), impl });
    });
  }
} catch (err) {
  fatal(err);
}

// Commands come to the process the bench started (a cluster's primary), not to its workers.
if (!clusterMode || !require('cluster').isWorker) {
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
        exiting = true;
        process.exit(0);
      }
    }
  });
  process.stdin.on('end', () => {
    exiting = true;
    process.exit(0);
  });
}
