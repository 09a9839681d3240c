// The ES module entry (`import net from 'cnet'`, `import { connect } from 'cnet'`):
// the CommonJS module's exports, so both entries share one instance.
import net from './net.js';

export default net;

export const {
  createServer,
  createConnection,
  connect,
  Server,
  Socket,
  Stream,
  BoundSocket,
  isIP,
  isIPv4,
  isIPv6,
  BlockList,
  SocketAddress,
  getDefaultAutoSelectFamily,
  setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamilyAttemptTimeout,
  _normalizeArgs,
} = net;
