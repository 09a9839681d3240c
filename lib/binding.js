'use strict';
// Loads the native core and registers the JS callbacks it calls per event.
const path = require('path');

const root = path.join(__dirname, '..');

let binding;
try {
  binding = require(path.join(root, 'build', 'Release', 'cnet.node'));
} catch (err) {
  err.message = `cnet: cannot load the native addon (run "npm install" to build it): ${err.message}`;
  throw err;
}

module.exports = binding;
