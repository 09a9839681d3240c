'use strict';
// `npm run test:asan`: builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer
// and runs the whole suite on it under the machine's Node, with the sanitizer runtimes
// preloaded (Node itself is not built with them). Any report fails the run.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { runStreamed } = require('./helpers/run-streamed');

const root = path.join(__dirname, '..');
// binding.gyp is the one build definition: CNET_SANITIZE=1 turns the sanitizers on.
// It is built from a copy of the sources so that build/Release stays the normal build.
const asanProject = path.join(root, 'build', 'asan');
const addon = path.join(asanProject, 'build', 'Release', 'cnet.node');

function runtimeLibrary(name) {
  return execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
}

// npm gives its scripts the node-gyp it bundles (the one `npm install` built
// with); run directly, the node-gyp bundled with npm beside this node is used,
// against this node's own headers.
const prefix = path.join(path.dirname(process.execPath), '..');
const nodeGyp = process.env.npm_config_node_gyp
  || path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!fs.existsSync(nodeGyp)) {
  console.error(`test/asan.js: no node-gyp at ${nodeGyp}; run it through npm (npm run test:asan)`);
  process.exit(1);
}
const nodedir = process.env.npm_config_nodedir
  || (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null);
fs.rmSync(asanProject, { recursive: true, force: true });
fs.mkdirSync(asanProject, { recursive: true });
fs.copyFileSync(path.join(root, 'binding.gyp'), path.join(asanProject, 'binding.gyp'));
fs.cpSync(path.join(root, 'src'), path.join(asanProject, 'src'), { recursive: true });
execFileSync(process.execPath, [nodeGyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
  cwd: asanProject, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CNET_SANITIZE: '1' },
});

const chosen = process.argv.slice(2);
const files = chosen.length ? chosen
  : fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join('test', f));
runStreamed(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=120000', ...files], {
  cwd: root,
  env: {
    ...process.env,
    CNET_ADDON: addon,
    LD_PRELOAD: [runtimeLibrary('libasan.so'), runtimeLibrary('libubsan.so')].join(':'),
    // Node's own allocations are not instrumented; leaks are checked with valgrind instead.
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  },
}).then((result) => {
  const reports = (result.out.match(/ERROR: AddressSanitizer|runtime error:/g) || []).length;
  console.log(`sanitizer reports: ${reports}`);
  process.exit(result.status === 0 && !result.timedOut && reports === 0 ? 0 : 1);
});
