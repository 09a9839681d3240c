'use strict';
// `require('cnet/register')`, `node -r cnet/register app.js` or `--import cnet/register`
// (Deno: `deno run --require` or `--preload`): from then on userland
// `require('net')` / `require('node:net')` (and, on Node and Deno,
// `import ... from 'net'` / `'node:net'`) give cnet. cnet's own files under lib/
// still get the runtime's built-in net (lib/net.js re-exports BlockList and
// SocketAddress from it).
const Module = require('module');
const path = require('path');
const { pathToFileURL } = require('url');
const cnet = require('./lib/net.js');

const installed = Symbol.for('cnet.register');
const libDir = path.join(__dirname, 'lib') + path.sep;
const netRequests = new Set(['net', 'node:net']);

function redirects(request, parent) {
  if (!netRequests.has(request)) return false;
  const from = parent && parent.filename;
  return !(typeof from === 'string' && from.startsWith(libDir));
}

// Node: Module._load is the one function every userland require() passes
// through on Node 20 and 24, including `node:` requests, which skip
// Module._resolveFilename. Returning cnet there leaves require.resolve() and
// the built-in module itself untouched.
function hookLoad() {
  const load = Module._load;
  Module._load = function loadWithCnet(request, parent, isMain) {
    if (redirects(request, parent)) return cnet;
    return load.apply(this, arguments);
  };
}

// Bun's require() does not call Module._load but does honour an overridden
// Module._resolveFilename for both spellings; resolving to lib/net.js makes it
// load the same module instance as require('cnet').
function hookResolve() {
  const resolve = Module._resolveFilename;
  const target = require.resolve('./lib/net.js');
  Module._resolveFilename = function resolveWithCnet(request, parent) {
    if (redirects(request, parent)) return target;
    return resolve.apply(this, arguments);
  };
}

// ESM on Node (20.6+, 24): resolve hooks on the loader thread map the
// specifiers to an ES module that re-exports this same cnet instance.
function hookImport() {
  if (typeof Module.register !== 'function') return;
  Module.register(pathToFileURL(path.join(__dirname, 'lib', 'register', 'hooks.mjs')));
}

// ESM on Deno, which has no module.register() but runs module.registerHooks()
// resolve hooks in the main thread, for imports and require() alike (the
// require() of 'net' never gets there: hookLoad answers it first).
function hookImportInThread() {
  const libURL = pathToFileURL(libDir).href;
  const cnetURL = pathToFileURL(path.join(__dirname, 'lib', 'register', 'net.mjs')).href;
  Module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const fromCnet = typeof context.parentURL === 'string' && context.parentURL.startsWith(libURL);
      if (netRequests.has(specifier) && !fromCnet) return { url: cnetURL, format: 'module', shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
}

if (!globalThis[installed]) {
  Object.defineProperty(globalThis, installed, { value: true });
  if (process.versions.bun) {
    hookResolve();
  } else if (process.versions.deno) {
    hookLoad();
    hookImportInThread();
  } else {
    hookLoad();
    hookImport();
  }
  require('./lib/ipc').receiveAsCnet();
}
