'use strict';
// socket._handle and server._handle: instrumentation wraps their methods by
// assignment (onconnection, setNoDelay, setKeepAlive) and reads handle.fd.
const test = require('node:test');
const { sameOnBoth, listen, close, once } = require('./helpers/modules');

test('wrapped server._handle.onconnection, client handle setKeepAlive and socket._handle.setNoDelay are the ones called', async () => {
  await sameOnBoth(async (net) => {
    const calls = [];
    const server = net.createServer({ keepAlive: true, keepAliveInitialDelay: 1000 }, (socket) => {
      const handle = socket._handle;
      const setNoDelay = handle.setNoDelay;
      handle.setNoDelay = function wrappedSetNoDelay(enable) {
        calls.push(`setNoDelay(${enable})`);
        return setNoDelay.call(this, enable);
      };
      const setKeepAlive = handle.setKeepAlive;
      handle.setKeepAlive = function wrappedSetKeepAlive(enable, delay) {
        calls.push(`setKeepAlive(${enable}, ${delay})`);
        return setKeepAlive.call(this, enable, delay);
      };
      socket.setNoDelay(true);
      socket.setNoDelay(true);
      socket.setNoDelay(false);
      socket.setKeepAlive(true, 1000);
      socket.setKeepAlive(true, 2000);
      socket.setKeepAlive(false);
      calls.push(`fd is a descriptor: ${handle.fd > 2}`);
      socket.destroy();
    });
    await listen(server, 0, '127.0.0.1');
    const onconnection = server._handle.onconnection;
    server._handle.onconnection = function wrappedOnconnection(status, clientHandle) {
      calls.push(`onconnection(${status}, ${typeof clientHandle})`);
      const setKeepAlive = clientHandle.setKeepAlive;
      clientHandle.setKeepAlive = function firstSetKeepAlive(enable, delay) {
        calls.push(`accepted setKeepAlive(${enable}, ${delay})`);
        clientHandle.setKeepAlive = setKeepAlive;
        return setKeepAlive.call(this, enable, delay);
      };
      return onconnection.call(this, status, clientHandle);
    };
    const client = net.connect(server.address().port, '127.0.0.1');
    client.on('error', () => {});
    await once(client, 'close');
    await close(server);
    return calls;
  });
});

test('connect({ noDelay, keepAlive }): the options reach the handle once connected, before the connect event', async () => {
  await sameOnBoth(async (net) => {
    const server = net.createServer((s) => s.end());
    await listen(server, 0, '127.0.0.1');
    const calls = [];
    const client = net.connect({
      port: server.address().port, host: '127.0.0.1', noDelay: true, keepAlive: true, keepAliveInitialDelay: 3000,
    }, () => calls.push('connect'));
    const handle = client._handle;
    const { setNoDelay, setKeepAlive } = handle;
    handle.setNoDelay = function wrappedSetNoDelay(enable) {
      calls.push(`setNoDelay(${enable})`);
      return setNoDelay.call(this, enable);
    };
    handle.setKeepAlive = function wrappedSetKeepAlive(enable, delay, ...more) {
      calls.push(`setKeepAlive(${enable}, ${delay})`);
      return setKeepAlive.call(this, enable, delay, ...more);
    };
    client.resume();
    await once(client, 'close');
    await close(server);
    return calls;
  });
});
