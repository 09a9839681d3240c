'use strict';
// `npm run test:asan`: builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer
// and runs the whole suite on it under the machine's Node, with the sanitizer runtimes
// preloaded (Node itself is not built with them). Any report fails the run.
const fs = require('fs');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const outDir = path.join(root, 'build', 'asan');
const addon = path.join(outDir, 'cnet.node');
const headers = path.join(path.dirname(process.execPath), '..', 'include', 'node');
const sources = fs.readdirSync(path.join(root, 'src')).filter((f) => f.endsWith('.c')).map((f) => path.join(root, 'src', f));

function runtimeLibrary(name) {
  return execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
}

fs.mkdirSync(outDir, { recursive: true });
execFileSync('gcc', ['-std=gnu11', '-O1', '-g', '-fno-omit-frame-pointer', '-fsanitize=address,undefined',
  '-fno-sanitize-recover=undefined', '-fPIC', '-shared', `-I${headers}`, '-DNAPI_VERSION=8',
  '-DNODE_GYP_MODULE_NAME=cnet', ...sources, '-o', addon], { stdio: 'inherit' });

const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join('test', f));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=120000', ...files], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  env: {
    ...process.env,
    CNET_ADDON: addon,
    LD_PRELOAD: [runtimeLibrary('libasan.so'), runtimeLibrary('libubsan.so')].join(':'),
    // Node's own allocations are not instrumented; leaks are checked with valgrind instead.
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  },
});
const out = `${result.stdout}${result.stderr}`;
process.stdout.write(out);
const reports = (out.match(/ERROR: AddressSanitizer|runtime error:/g) || []).length;
console.log(`sanitizer reports: ${reports}`);
process.exit(result.status === 0 && reports === 0 ? 0 : 1);
