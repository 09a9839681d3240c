'use strict';
// diagnostics_channel: the channels built-in net publishes on, which APM agents
// subscribe to, with the same messages at the same moments.
const dc = require('diagnostics_channel');
const compat = require('./compat');

const clientSocket = dc.channel('net.client.socket');
const serverSocket = dc.channel('net.server.socket');
// The tracing channel of listen(): built-in net publishes asyncStart, asyncEnd and error only.
const listenAsyncStart = dc.channel('tracing:net.server.listen:asyncStart');
const listenAsyncEnd = dc.channel('tracing:net.server.listen:asyncEnd');
const listenError = dc.channel('tracing:net.server.listen:error');

// A client socket: from net.connect() on Node 20, from every socket.connect() on Node 22+.
function publishClientSocket(socket, fromSocketConnect) {
  if (fromSocketConnect !== compat.clientSocketChannelInConnect) return;
  if (clientSocket.hasSubscribers) clientSocket.publish({ socket });
}

// An accepted socket, after its 'connection' event.
function publishServerSocket(socket) {
  if (serverSocket.hasSubscribers) serverSocket.publish({ socket });
}

// listen() called (and not already listening): the options as given.
function publishListenStart(server, options) {
  if (listenAsyncStart.hasSubscribers) listenAsyncStart.publish({ server, options });
}

// The tick that emits 'listening' (even when close() came first and it emits nothing).
function publishListenEnd(server) {
  if (listenAsyncEnd.hasSubscribers) listenAsyncEnd.publish({ server });
}

// The bind or listen failed: just before the 'error' event.
function publishListenError(server, error) {
  if (listenError.hasSubscribers) listenError.publish({ server, error });
}

module.exports = {
  publishClientSocket, publishServerSocket, publishListenStart, publishListenEnd, publishListenError,
};
