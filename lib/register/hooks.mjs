// Module resolve hooks installed by register.js (Node's module.register()).
// `import 'net'` / `'node:net'` from anywhere but cnet's own lib/ resolves to
// net.mjs, which re-exports cnet.
const libURL = new URL('../', import.meta.url).href;
const cnetURL = new URL('./net.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const fromCnet = typeof context.parentURL === 'string' && context.parentURL.startsWith(libURL);
  if ((specifier === 'net' || specifier === 'node:net') && !fromCnet) {
    return { url: cnetURL, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
