// What `import ... from 'net'` gives once register.js is active: cnet's own ES
// module entry, so the same instance that require('cnet') returns.
export * from '../net.mjs';
export { default } from '../net.mjs';
