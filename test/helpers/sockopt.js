'use strict';
// What the kernel holds for a TCP socket of built-in net or of cnet, read from
// its descriptor with getsockopt (cnet's binding exports the reader).
const fs = require('fs');
const binding = require('../../lib/binding');

function descriptorOf(socket) {
  const handle = socket._handle;
  return typeof handle.fd === 'number' ? handle.fd : handle.fileno();
}

// { keepAlive, keepIdle, keepInterval, keepCount, noDelay, typeOfService }
function kernelOptions(socket) {
  const options = binding.socketOptions(descriptorOf(socket));
  if (typeof options === 'number') throw new Error(`getsockopt failed: ${binding.errname(options)}`);
  return options;
}

function keepAliveOptions(socket) {
  const { keepAlive, keepIdle, keepInterval, keepCount } = kernelOptions(socket);
  return { keepAlive, keepIdle, keepInterval, keepCount };
}

// The kernel's keep-alive timers for a socket that sets none of them (sysctl net.ipv4.tcp_keepalive_*).
function systemKeepAlive() {
  const read = (name) => Number(fs.readFileSync(`/proc/sys/net/ipv4/tcp_keepalive_${name}`, 'utf8'));
  return { keepIdle: read('time'), keepInterval: read('intvl'), keepCount: read('probes') };
}

// A client of `net` connected to a server of `net` on loopback. hooks.beforeConnect
// acts on the client before connect() (a new Socket) or right after it (while
// the connect is under way, with hooks.fresh false); hooks.connected once both
// ends are up. Returns what observe(client, serverSocket) gives, then closes all.
async function connectedPair(net, hooks) {
  const { serverOptions = {}, connectOptions = {}, host = '127.0.0.1', fresh = false } = hooks;
  let accepted;
  const serverSocket = new Promise((resolve) => { accepted = resolve; });
  const server = net.createServer(serverOptions, (socket) => {
    socket.on('error', () => {});
    accepted(socket);
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  const target = { port: server.address().port, host, ...connectOptions };
  let client;
  if (fresh) {
    client = new net.Socket(connectOptions);
    if (hooks.beforeConnect) hooks.beforeConnect(client);
    client.connect(target);
  } else {
    client = net.connect(target);
    if (hooks.beforeConnect) hooks.beforeConnect(client);
  }
  client.on('error', () => {});
  await new Promise((resolve) => client.once('connect', resolve));
  const peer = await serverSocket;
  try {
    if (hooks.connected) hooks.connected(client, peer);
    return hooks.observe(client, peer);
  } finally {
    client.destroy();
    peer.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

module.exports = { kernelOptions, keepAliveOptions, systemKeepAlive, connectedPair };
