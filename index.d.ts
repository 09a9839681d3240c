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

import type { AddressInfo } from 'node:net';

// net.BoundSocket (Node 24.19 / 26.4; `path` 24.20), declared here until @types/node has it.
export interface BoundSocketOptions {
  port?: number | string;
  host?: string;
  ipv6Only?: boolean;
  reusePort?: boolean;
  /** A Unix socket path, or a Linux abstract name ('\0name'); excludes the TCP options. */
  path?: string;
}

/** A socket bound now; listen(bound), new Socket({ handle: bound }) or createConnection({ handle: bound }) adopt it. */
export declare class BoundSocket {
  constructor(options?: BoundSocketOptions);
  /** The bound address, or the path of a Unix socket. */
  address(): AddressInfo | string;
  /** The descriptor, still owned by the BoundSocket. */
  fd(): number;
  /** Releases a socket nothing adopted. */
  close(): void;
  readonly isPipe: boolean;
  [Symbol.dispose](): void;
}

// Undocumented in Node (so not in @types/node) but used by ecosystem code: the
// [options, callback] pair connect() takes as already normalized arguments.
export declare function _normalizeArgs(
  args: unknown[],
): [options: import('node:net').NetConnectOpts | Record<string, unknown>, callback: ((...args: unknown[]) => void) | null];
