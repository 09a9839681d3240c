'use strict';
// Client-side scenario in its own process:
//   <runtime> bench/scenarios/client-main.js <net|cnet> <port> <conns> <size> <warmup s> <duration s> [host]
// Opens <conns> connections to an echo server (the C one), ping-pongs one
// <size>-byte message per connection, checks every echoed byte, and prints
// one JSON line: msgs_per_s, p50_us, p99_us (or {"error"} and exit 1).

const { loadImpl, echoMessage, runtimeName } = require('./common');

const [impl, portS, connsS, sizeS, warmS, durS, host = '127.0.0.1'] = process.argv.slice(2);
const port = Number(portS);
const conns = Number(connsS);
const size = Number(sizeS);
const warmup = Number(warmS) * 1000;
const duration = Number(durS) * 1000;

function fail(msg) {
  process.stdout.write(`${JSON.stringify({ error: msg })}\n`);
  process.exit(1);
}

let net;
try {
  net = loadImpl(impl);
} catch (err) {
  fail(String(err.message).split('\n')[0]);
}

runClient(net).then((res) => {
  process.stdout.write(`${JSON.stringify(res)}\n`);
  process.exit(0);
}, (err) => fail(err && err.message ? err.message : String(err)));

// The scenario: same code for either module.
function runClient(netModule) {
  return new Promise((resolve, reject) => {
    const VARIANTS = 4;
    let phase = 'connecting'; // -> warmup -> measure -> drain
    let connected = 0;
    let busy = 0;
    let measured = 0;
    let total = 0;
    let tMeasure = 0;
    let tEnd = 0;
    const lat = [];
    const sockets = [];

    const finish = () => {
      for (const s of sockets) s.destroy();
      const secs = (tEnd - tMeasure) / 1000;
      lat.sort((a, b) => a - b);
      const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 1000 : 0);
      resolve({ mode: 'client', runtime: runtimeName(), conns, size, seconds: secs, msgs: measured,
        msgs_per_s: measured / secs, p50_us: pct(0.5), p99_us: pct(0.99), total_msgs: total });
    };

    const startPhases = () => {
      phase = 'warmup';
      setTimeout(() => {
        phase = 'measure';
        tMeasure = performance.now();
        setTimeout(() => {
          phase = 'drain';
          tEnd = performance.now();
          if (busy === 0) finish();
        }, duration);
      }, warmup);
      for (const s of sockets) s.kick();
    };

    for (let c = 0; c < conns; c++) {
      const msgs = [];
      for (let v = 0; v < VARIANTS; v++) msgs.push(echoMessage(c, v, size));
      const socket = netModule.connect({ port, host });
      socket.setNoDelay(true);
      let k = 0;
      let off = 0;
      let sentAt = 0;
      let inFlight = false;
      socket.kick = () => {
        if (phase === 'drain') return;
        inFlight = true;
        busy++;
        sentAt = performance.now();
        socket.write(msgs[k & 3]);
      };
      socket.on('connect', () => {
        if (++connected === conns) startPhases();
      });
      socket.on('data', (chunk) => {
        const want = msgs[k & 3];
        if (!inFlight || off + chunk.length > size ||
            !chunk.equals(want.subarray(off, off + chunk.length))) {
          reject(new Error('echoed bytes differ from the bytes sent'));
          return;
        }
        off += chunk.length;
        if (off < size) return;
        off = 0;
        inFlight = false;
        busy--;
        k++;
        total++;
        if (phase === 'measure') {
          measured++;
          lat.push(performance.now() - sentAt);
        }
        if (phase === 'drain') {
          if (busy === 0) finish();
        } else {
          socket.kick();
        }
      });
      socket.on('error', (err) => reject(err));
      sockets.push(socket);
    }
  });
}
