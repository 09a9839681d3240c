'use strict';
// net.Socket, net.Server and net.Stream construct with or without `new`, and
// subclass, as built-in net's do.
const test = require('node:test');
const { sameOnBoth, listen, close, once } = require('./helpers/modules');

test('Socket(), Stream() and Server() called without new give instances like new does', async () => {
  await sameOnBoth((net) => {
    const socket = net.Socket();
    const stream = net.Stream({ allowHalfOpen: true });
    const server = net.Server({ pauseOnConnect: true }, () => {});
    const seen = {
      socket: [socket instanceof net.Socket, socket.constructor === net.Socket, socket.constructor.name],
      stream: [stream instanceof net.Socket, stream.allowHalfOpen],
      server: [server instanceof net.Server, server.constructor === net.Server, server.constructor.name,
        server.pauseOnConnect, server.listenerCount('connection')],
      names: [net.Socket.name, net.Server.name, net.Stream === net.Socket],
    };
    socket.destroy();
    stream.destroy();
    return seen;
  });
});

test('a class extending Socket and Server constructs, connects and accepts', async () => {
  await sameOnBoth(async (net) => {
    class MyServer extends net.Server {
      constructor(listener) {
        super(listener);
        this.kind = 'mine';
      }
    }
    class MySocket extends net.Socket {
      hello() { return 'hello'; }
    }
    const server = new MyServer((s) => s.end('hi'));
    const { port } = await listen(server, 0, '127.0.0.1');
    const socket = new MySocket();
    socket.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    const [data] = await once(socket, 'data');
    await once(socket, 'close');
    await close(server);
    return {
      server: [server instanceof net.Server, server.kind, server.constructor.name],
      socket: [socket instanceof net.Socket, socket instanceof MySocket, socket.hello(), data],
    };
  });
});
