'use strict';
// Runs Node's own test/parallel/test-tls-*.js that require 'net', unchanged,
// once on built-in net and once with `-r register.js` (cnet), and prints which
// pass on each. Node's tests are not part of this repository: pass the
// directory holding their test/ tree (a checkout of nodejs/node, or
// `git --git-dir=<node_test mirror> archive HEAD test/parallel test/common test/fixtures | tar -x`).
//
//   node test/node-tls.js <dir with test/parallel> [runtime binary]
//
// Exit status 1 if a test that passes on built-in net fails through register.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const [root, runtime = process.execPath] = process.argv.slice(2);
if (!root) {
  process.stderr.write('usage: node test/node-tls.js <dir with test/parallel> [runtime binary]\n');
  process.exit(2);
}
const registerPath = path.join(__dirname, '..', 'register.js');
const parallel = path.join(root, 'test', 'parallel');
const usesNet = /require\('(node:)?net'\)/;
const files = fs.readdirSync(parallel)
  .filter((name) => /^test-tls-.*\.js$/.test(name))
  .filter((name) => usesNet.test(fs.readFileSync(path.join(parallel, name), 'utf8')));

function passes(args, file) {
  const run = spawnSync(runtime, [...args, path.join(parallel, file)], { cwd: root, stdio: 'ignore', timeout: 30000 });
  return run.status === 0;
}

let regressions = 0;
let bothPass = 0;
let builtinPass = 0;
for (const file of files) {
  const onNet = passes([], file);
  const onCnet = passes(['-r', registerPath], file);
  if (onNet) builtinPass++;
  if (onNet && onCnet) bothPass++;
  if (onNet && !onCnet) regressions++;
  process.stdout.write(`${onNet ? 'pass' : 'FAIL'} ${onCnet ? 'pass' : 'FAIL'}  ${file}\n`);
}
process.stdout.write(`\n${files.length} files; ${builtinPass} pass on built-in net, ${bothPass} of them also through cnet/register\n`);
process.exit(regressions > 0 ? 1 : 0);
