'use strict';
// Behaviours of built-in net that changed between Node release lines; cnet follows the running one.
// Verified on Node 20 and Node 24; the switch point between them is taken as Node 22.
const major = Number(process.versions.node.split('.')[0]);

module.exports = {
  // Node 22+ names a non-string connect host "options.host"; Node 20 says "hostname".
  hostArgumentName: major >= 22 ? 'options.host' : 'hostname',
  // Node 22+ passes ECANCELED to callbacks of writes cut short by destroy(); Node 20 calls them without error.
  cancelledWritesReportError: major >= 22,
  // Node 22+ treats maxConnections = 0 as "accept none"; Node 20 as "no limit".
  zeroMaxConnectionsIsALimit: major >= 22,
  // Node 22+ finishes end() on a socket that never connected at once; Node 20 waits for a 'connect'.
  endWithoutConnectFinishes: major >= 22,
  // Node 22+ publishes diagnostics_channel 'net.client.socket' in every socket.connect(); Node 20 in net.connect() only.
  clientSocketChannelInConnect: major >= 22,
  // Node 22+ listens on the first address of a host that is not IPv6 link-local; Node 20 on the first.
  listenSkipsLinkLocal: major >= 22,
  // Node 22+ applies listen({ ipv6Only }) without a host to its "::" socket; Node 20 ignores it there (dual stack).
  ipv6OnlyWithoutHost: major >= 22,
  // Bun's node:net turns TCP_NODELAY on for every TCP socket it connects or
  // accepts, whatever noDelay says; setNoDelay() still changes it afterwards.
  noDelayWhenOpened: Boolean(process.versions.bun),
  // Node 20 cuts a Unix socket path longer than sun_path to fit; Node 22+ refuses it (EINVAL).
  pipePathsTruncate: !process.versions.bun && major < 22,
};
