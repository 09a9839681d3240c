'use strict';
// Loads the native core and registers the JS callbacks it calls per event.
const path = require('path');

const root = path.join(__dirname, '..');

let binding;
try {
  // CNET_ADDON selects another build of the same addon (the sanitizer build of `npm run test:asan`).
  binding = require(process.env.CNET_ADDON || path.join(root, 'build', 'Release', 'cnet.node'));
} catch (err) {
  err.message = `cnet: cannot load the native addon (run "npm install" to build it): ${err.message}`;
  throw err;
}

module.exports = binding;
