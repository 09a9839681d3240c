'use strict';
// Keep-alive as the kernel sees it (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL,
// TCP_KEEPCNT read back with getsockopt), for sockets of built-in net and cnet.
const test = require('node:test');
const { sameOnBoth, sameAsNode24 } = require('./helpers/modules');
const { keepAliveOptions, systemKeepAlive, connectedPair } = require('./helpers/sockopt');

// setKeepAlive's interval and count came to built-in net in Node 24.19 and 26.4.
const [major, minor] = process.versions.node.split('.').map(Number);
const builtinHasIntervalAndCount = major > 26 || (major === 26 && minor >= 4) || (major === 24 && minor >= 19);

const onClient = (client) => keepAliveOptions(client);
const onServerSocket = (client, serverSocket) => keepAliveOptions(serverSocket);
const off = { keepAlive: 0, ...systemKeepAlive() };
const onWithSystemTimers = { keepAlive: 1, ...systemKeepAlive() };
// What libuv sets with a whole number of seconds: that idle time, 1 s between probes, 10 probes.
const libuvTimers = (idle) => ({ keepAlive: 1, keepIdle: idle, keepInterval: 1, keepCount: 10 });

const scenarios = {
  'connect({ keepAlive: true, keepAliveInitialDelay: 30000 }) idles 30 s': {
    connectOptions: { keepAlive: true, keepAliveInitialDelay: 30000 }, observe: onClient,
  },
  'connect({ keepAlive: true, keepAliveInitialDelay: 1500 }) idles 1 s': {
    connectOptions: { keepAlive: true, keepAliveInitialDelay: 1500 }, observe: onClient,
  },
  'connect({ keepAlive: true }) keeps the system timers': {
    connectOptions: { keepAlive: true }, observe: onClient,
  },
  'setKeepAlive(true, 45000) while connecting idles 45 s': {
    beforeConnect: (s) => s.setKeepAlive(true, 45000), observe: onClient,
  },
  'setKeepAlive(true, 0) while connecting gets libuv\'s 60 s': {
    beforeConnect: (s) => s.setKeepAlive(true, 0), observe: onClient,
  },
  'setKeepAlive(true, 45000) on a new Socket before connect() idles 45 s': {
    fresh: true, beforeConnect: (s) => s.setKeepAlive(true, 45000), observe: onClient,
  },
  'setKeepAlive(true, 0) on a new Socket before connect() keeps the system timers': {
    fresh: true, beforeConnect: (s) => s.setKeepAlive(true, 0), observe: onClient,
  },
  'setKeepAlive(true, 0) once connected keeps the system timers': {
    connected: (s) => s.setKeepAlive(true, 0), observe: onClient,
  },
  'setKeepAlive(true, 45000) once connected idles 45 s': {
    connected: (s) => s.setKeepAlive(true, 45000), observe: onClient,
  },
  'setKeepAlive(false) turns off what connect({ keepAlive }) turned on': {
    connectOptions: { keepAlive: true, keepAliveInitialDelay: 30000 },
    connected: (s) => s.setKeepAlive(false), observe: onClient,
  },
  'setKeepAlive(true, 45000) then setKeepAlive(true, 20000) while connecting: the last wins': {
    beforeConnect: (s) => s.setKeepAlive(true, 45000).setKeepAlive(true, 20000), observe: onClient,
  },
  'createServer({ keepAlive: true, keepAliveInitialDelay: 20000 }): accepted sockets idle 20 s': {
    serverOptions: { keepAlive: true, keepAliveInitialDelay: 20000 }, observe: onServerSocket,
  },
  'createServer({ keepAlive: true }): accepted sockets keep the system timers': {
    serverOptions: { keepAlive: true }, observe: onServerSocket,
  },
  'createServer() without keepAlive: accepted sockets have it off': {
    observe: onServerSocket,
  },
};

const expected = {
  'connect({ keepAlive: true, keepAliveInitialDelay: 30000 }) idles 30 s': libuvTimers(30),
  'connect({ keepAlive: true, keepAliveInitialDelay: 1500 }) idles 1 s': libuvTimers(1),
  'connect({ keepAlive: true }) keeps the system timers': onWithSystemTimers,
  'setKeepAlive(true, 45000) while connecting idles 45 s': libuvTimers(45),
  'setKeepAlive(true, 0) while connecting gets libuv\'s 60 s': libuvTimers(60),
  'setKeepAlive(true, 45000) on a new Socket before connect() idles 45 s': libuvTimers(45),
  'setKeepAlive(true, 0) on a new Socket before connect() keeps the system timers': onWithSystemTimers,
  'setKeepAlive(true, 0) once connected keeps the system timers': onWithSystemTimers,
  'setKeepAlive(true, 45000) once connected idles 45 s': libuvTimers(45),
  'setKeepAlive(false) turns off what connect({ keepAlive }) turned on': { ...libuvTimers(30), keepAlive: 0 },
  'setKeepAlive(true, 45000) then setKeepAlive(true, 20000) while connecting: the last wins': libuvTimers(20),
  'createServer({ keepAlive: true, keepAliveInitialDelay: 20000 }): accepted sockets idle 20 s': libuvTimers(20),
  'createServer({ keepAlive: true }): accepted sockets keep the system timers': onWithSystemTimers,
  'createServer() without keepAlive: accepted sockets have it off': off,
};

for (const [name, hooks] of Object.entries(scenarios)) {
  test(`keep-alive: ${name}, as built-in net`, async () => {
    const seen = await sameOnBoth((net) => connectedPair(net, hooks));
    require('assert').deepStrictEqual(seen, expected[name]);
  });
}

// setKeepAlive(enable, initialDelay, interval, count) and its object form
// (Node 24.19 / 26.4): values the kernel refuses are ignored, as the rest of
// keep-alive's errors are, and a zero interval or count sets no timer at all.
const newApi = {
  'setKeepAlive({ enable, initialDelay, interval, count }) once connected sets all three timers': [{
    connected: (s) => s.setKeepAlive({ enable: true, initialDelay: 20000, interval: 5000, count: 3 }),
    observe: onClient,
  }, { keepAlive: 1, keepIdle: 20, keepInterval: 5, keepCount: 3 }],
  'setKeepAlive(true, 20000, 7000, 4) while connecting sets all three timers': [{
    beforeConnect: (s) => s.setKeepAlive(true, 20000, 7000, 4), observe: onClient,
  }, { keepAlive: 1, keepIdle: 20, keepInterval: 7, keepCount: 4 }],
  'setKeepAlive({ ... }) on a new Socket before connect() sets all three timers': [{
    fresh: true,
    beforeConnect: (s) => s.setKeepAlive({ enable: true, initialDelay: 15000, interval: 2000, count: 6 }),
    observe: onClient,
  }, { keepAlive: 1, keepIdle: 15, keepInterval: 2, keepCount: 6 }],
  'setKeepAlive(true, 20000, 7000): the count stays libuv\'s 10': [{
    connected: (s) => s.setKeepAlive(true, 20000, 7000), observe: onClient,
  }, { keepAlive: 1, keepIdle: 20, keepInterval: 7, keepCount: 10 }],
  'setKeepAlive(true, 20000, undefined, 6): the interval stays libuv\'s 1 s': [{
    connected: (s) => s.setKeepAlive(true, 20000, undefined, 6), observe: onClient,
  }, { keepAlive: 1, keepIdle: 20, keepInterval: 1, keepCount: 6 }],
  'setKeepAlive(true, 20000, 5000, 200): the count the kernel refuses leaves the system\'s': [{
    connected: (s) => s.setKeepAlive(true, 20000, 5000, 200), observe: onClient,
  }, { keepAlive: 1, keepIdle: 20, keepInterval: 5, keepCount: systemKeepAlive().keepCount }],
  'setKeepAlive(true, 20000, 500, 3): an interval under a second sets no timer': [{
    connected: (s) => s.setKeepAlive(true, 20000, 500, 3), observe: onClient,
  }, onWithSystemTimers],
  'setKeepAlive(true, 20000, 5000, 2.5): a count that is no whole number is libuv\'s 10': [{
    connected: (s) => s.setKeepAlive(true, 20000, 5000, 2.5), observe: onClient,
  }, { keepAlive: 1, keepIdle: 20, keepInterval: 5, keepCount: 10 }],
  'setKeepAlive({ enable: true, interval: 2000 }): no initial delay, no timer': [{
    connected: (s) => s.setKeepAlive({ enable: true, interval: 2000 }), observe: onClient,
  }, onWithSystemTimers],
  'setKeepAlive(true, 20000, 7000, 4) then setKeepAlive(false) once connected': [{
    connected: (s) => s.setKeepAlive(true, 20000, 7000, 4).setKeepAlive(false), observe: onClient,
  }, { keepAlive: 0, keepIdle: 20, keepInterval: 7, keepCount: 4 }],
};

for (const [name, [hooks, node24]] of Object.entries(newApi)) {
  test(`keep-alive: ${name}, as Node 24's net`, async () => {
    await sameAsNode24(builtinHasIntervalAndCount, (net) => connectedPair(net, hooks), node24);
  });
}
