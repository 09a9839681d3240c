'use strict';
// index.d.ts type-checks, and describes cnet precisely: small usage files (ES module
// and CommonJS, importing 'cnet' through the package's "exports") pass `tsc --noEmit`
// under strict settings, including lines that must be type errors (@ts-expect-error).
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const { spawnSync } = require('child_process');

const tsc = require.resolve('typescript/bin/tsc');
const project = path.join(__dirname, 'fixtures', 'types', 'tsconfig.json');

test('index.d.ts type-checks with usage files under tsc --noEmit', { timeout: 60000 }, () => {
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { encoding: 'utf8', timeout: 60000 });
  assert.strictEqual(result.status, 0, `tsc reported:\n${result.stdout}${result.stderr}${result.error || ''}`);
});
