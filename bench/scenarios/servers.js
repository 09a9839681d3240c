'use strict';
// The servers under test. Every function takes the net module as its first
// argument and uses only the documented net API, so the very same code runs
// with the built-in net and with cnet.

const { CHUNK, REQUEST_SIZE, bulkPattern } = require('./common');

function ignoreErrors(socket) {
  socket.on('error', () => {});
}

// Echo: write back every chunk as it arrives.
function echoServer(net) {
  return net.createServer((socket) => {
    socket.setNoDelay(true);
    ignoreErrors(socket);
    socket.on('data', (chunk) => {
      socket.write(chunk);
    });
  });
}

// Reply: answer the first chunk with the same bytes and end, so the server
// closes first (the churn scenario).
function replyServer(net) {
  return net.createServer((socket) => {
    ignoreErrors(socket);
    socket.once('data', (chunk) => {
      socket.end(chunk);
    });
  });
}

// Sink: count bytes until the peer ends, answer "<count>\n", end.
function sinkServer(net) {
  return net.createServer({ allowHalfOpen: true }, (socket) => {
    let count = 0;
    ignoreErrors(socket);
    socket.on('data', (chunk) => {
      count += chunk.length;
    });
    socket.on('end', () => {
      socket.end(`${count}\n`);
    });
  });
}

// Source: for every request line "<N>\n" send N bytes of the pattern in
// 64 KiB writes, honouring backpressure; end once the peer has ended and
// everything asked for has been written.
function sourceServer(net) {
  const pattern = bulkPattern();
  return net.createServer({ allowHalfOpen: true }, (socket) => {
    let owed = 0;
    let line = '';
    let ended = false;
    let waiting = false;
    ignoreErrors(socket);
    const pump = () => {
      waiting = false;
      while (owed > 0) {
        const n = owed < CHUNK ? owed : CHUNK;
        owed -= n;
        const ok = socket.write(n === CHUNK ? pattern : pattern.subarray(0, n));
        if (!ok) {
          waiting = true;
          socket.once('drain', pump);
          return;
        }
      }
      if (ended) socket.end();
    };
    socket.on('data', (chunk) => {
      line += chunk.toString('latin1');
      let nl;
      while ((nl = line.indexOf('\n')) !== -1) {
        owed += Number(line.slice(0, nl));
        line = line.slice(nl + 1);
      }
      if (!waiting) pump();
    });
    socket.on('end', () => {
      ended = true;
      if (!waiting && owed === 0) socket.end();
    });
  });
}

// Pipelined request/response, as a naive Redis or SMTP server does it: the
// requests are REQUEST_SIZE bytes each and every one is answered with its own
// write() (of the request's bytes, which the load generator's echo mode checks),
// however many arrived in one read.
function pipelineServer(net) {
  return net.createServer((socket) => {
    let partial = null;
    socket.setNoDelay(true);
    ignoreErrors(socket);
    socket.on('data', (chunk) => {
      const data = partial === null ? chunk : Buffer.concat([partial, chunk]);
      let at = 0;
      for (; at + REQUEST_SIZE <= data.length; at += REQUEST_SIZE) {
        socket.write(data.subarray(at, at + REQUEST_SIZE));
      }
      partial = at < data.length ? Buffer.from(data.subarray(at)) : null;
    });
  });
}

// Tiny HTTP/1.1 responder: one fixed 200 response per request head
// ("\r\n\r\n"), keep-alive, no parsing beyond that.
function httpServer(net) {
  const response = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
  const CR = 13;
  const LF = 10;
  return net.createServer((socket) => {
    let state = 0; // bytes of "\r\n\r\n" matched so far
    socket.setNoDelay(true);
    ignoreErrors(socket);
    socket.on('data', (chunk) => {
      let requests = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if ((state & 1) === 0 ? c === CR : c === LF) {
          if (++state === 4) {
            requests++;
            state = 0;
          }
        } else {
          state = c === CR ? 1 : 0;
        }
      }
      if (requests === 1) socket.write(response);
      else if (requests > 1) socket.write(Buffer.concat(new Array(requests).fill(response)));
    });
  });
}

const SERVERS = { echo: echoServer, reply: replyServer, sink: sinkServer, source: sourceServer, http: httpServer,
  pipeline: pipelineServer };

module.exports = { SERVERS };
