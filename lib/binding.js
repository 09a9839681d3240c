'use strict';
// Loads the native core and registers the JS callbacks it calls per event.
const path = require('path');

const root = path.join(__dirname, '..');

// Bun's Node-API host has a libuv loop but aborts the process on uv_tcp_init;
// until cnet brings its own loop there, refuse clearly instead of crashing.
if (process.versions.bun) {
  const err = new Error('cnet: Bun is not supported yet (its Node-API host provides no libuv TCP); use node:net on Bun');
  err.code = 'ERR_CNET_UNSUPPORTED_RUNTIME';
  throw err;
}

let binding;
try {
  binding = require(path.join(root, 'build', 'Release', 'cnet.node'));
} catch (err) {
  err.message = `cnet: cannot load the native addon (run "npm install" to build it): ${err.message}`;
  throw err;
}

module.exports = binding;
