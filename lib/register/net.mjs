// What `import ... from 'net'` gives once register.js is active: the cnet
// instance that require('cnet') returns, as default and as named exports
// (ES modules need the names spelled out; a test keeps them equal to lib/net.js).
import { createRequire } from 'node:module';

const net = createRequire(import.meta.url)('../net.js');

export default net;
export const {
  createServer,
  createConnection,
  connect,
  Server,
  Socket,
  Stream,
  isIP,
  isIPv4,
  isIPv6,
  getDefaultAutoSelectFamily,
  setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamilyAttemptTimeout,
  BlockList,
  SocketAddress,
} = net;
