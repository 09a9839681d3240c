'use strict';
// Loads the native core: a local build (build/Release) when there is one, else
// the prebuilt Node-API binary for this platform under prebuilds/ (node-gyp-build).
const path = require('path');
const loadNativeAddon = require('node-gyp-build');

const root = path.join(__dirname, '..');

let binding;
try {
  // CNET_ADDON selects another build of the same addon (the sanitizer build of `npm run test:asan`).
  binding = process.env.CNET_ADDON ? require(process.env.CNET_ADDON) : loadNativeAddon(root);
} catch (err) {
  err.message = `cnet: cannot load the native addon (without a prebuilt binary for ${process.platform}-${process.arch}, `
    + `"npm install" builds it, which needs a C compiler): ${err.message}`;
  throw err;
}

module.exports = binding;
