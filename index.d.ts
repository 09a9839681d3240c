// Types of cnet. Its public surface is Node's `net` (same functions, overloads,
// options, classes and events), so the declarations are @types/node's own.
export {
  createServer,
  createConnection,
  connect,
  Server,
  Socket,
  Socket as Stream,
  isIP,
  isIPv4,
  isIPv6,
  BlockList,
  SocketAddress,
  getDefaultAutoSelectFamily,
  setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamilyAttemptTimeout,
} from 'node:net';

// The option, address and callback types (ListenOptions, NetConnectOpts, AddressInfo, ...).
export type * from 'node:net';

// Undocumented in Node (so not in @types/node) but used by ecosystem code: the
// [options, callback] pair connect() takes as already normalized arguments.
export declare function _normalizeArgs(
  args: unknown[],
): [options: import('node:net').NetConnectOpts | Record<string, unknown>, callback: ((...args: unknown[]) => void) | null];
