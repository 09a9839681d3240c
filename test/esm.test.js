'use strict';
// The ES module entry (lib/net.mjs) exports the same things as the CommonJS one,
// and the package's "exports" map sends `import` and `require` of 'cnet' to them.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { pathToFileURL } = require('url');

const cjs = require('../lib/net.js');
const esmEntry = pathToFileURL(path.join(__dirname, '..', 'lib', 'net.mjs')).href;

test('the ES module entry has every CommonJS export as a named export, and the module as default', async () => {
  const esm = await import(esmEntry);
  const named = Object.keys(esm).filter((name) => name !== 'default').sort();
  assert.deepStrictEqual(named, Object.keys(cjs).sort());
  for (const name of named) assert.strictEqual(esm[name], cjs[name], name);
  assert.strictEqual(esm.default, cjs);
});

test("the package name resolves to the CommonJS entry for require and the ES module entry for import", async () => {
  assert.strictEqual(require('cnet'), cjs);
  const esm = await import('cnet');
  assert.strictEqual(esm.default, cjs);
  assert.strictEqual(esm.connect, cjs.connect);
});
