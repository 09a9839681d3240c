'use strict';
// events.captureRejections: an async 'connection' listener that rejects
// destroys that connection with its error, as built-in net.Server does.
const test = require('node:test');
const events = require('events');
const { sameOnBoth, listen, close, once, errorShape } = require('./helpers/modules');

test('with events.captureRejections, a rejecting async connection listener destroys that socket with the error', async () => {
  await sameOnBoth(async (net) => {
    const log = [];
    const kaboom = new Error('kaboom');
    events.captureRejections = true;
    let server;
    try {
      server = net.createServer(async (socket) => {
        socket.on('error', (err) => log.push(`server socket error: ${err === kaboom}`));
        socket.on('close', (hadError) => log.push(`server socket close: ${hadError}`));
        throw kaboom;
      });
    } finally {
      events.captureRejections = false;
    }
    server.on('error', (err) => log.push(`server error: ${err.message}`));
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = net.connect(port, '127.0.0.1');
    client.on('error', (err) => log.push(`client error: ${errorShape(err).code}`));
    await once(client, 'close');
    await close(server);
    return log;
  });
});

test('with events.captureRejections, a rejecting listener of another server event becomes a server error', async () => {
  await sameOnBoth(async (net) => {
    events.captureRejections = true;
    let server;
    try {
      server = net.createServer();
    } finally {
      events.captureRejections = false;
    }
    const errored = once(server, 'error');
    server.on('listening', async () => { throw new Error('in listening'); });
    await listen(server, 0, '127.0.0.1');
    const [err] = await errored;
    await close(server);
    return err.message;
  });
});
