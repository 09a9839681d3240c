'use strict';
// index.d.ts type-checks and describes cnet precisely: small usage files (ES module
// and CommonJS, importing 'cnet' through the package's "exports") compile under
// strict settings, including lines that must be type errors (@ts-expect-error),
// and the values it declares are exactly the ones the module exports.
const test = require('node:test');
const assert = require('assert');
const path = require('path');
const ts = require('typescript');
const cnet = require('../lib/net.js');

const root = path.join(__dirname, '..');
const configPath = path.join(__dirname, 'fixtures', 'types', 'tsconfig.json');

function loadProgram() {
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  assert.ifError(error);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath));
  assert.deepStrictEqual(parsed.errors, []);
  return ts.createProgram(parsed.fileNames, parsed.options);
}

function describeDiagnostic(diagnostic) {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file) return text;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${path.relative(root, diagnostic.file.fileName)}(${line + 1},${character + 1}): ${text}`;
}

// Names index.d.ts exports as values (functions, classes), not only as types.
// Only its own declarations count: what arrives through `export type *` is a type.
function declaredValues(program) {
  const checker = program.getTypeChecker();
  const declarations = program.getSourceFile(path.join(root, 'index.d.ts'));
  assert.ok(declarations, 'the usage files did not resolve cnet to index.d.ts');
  const isValue = (symbol) => {
    if (!(symbol.flags & ts.SymbolFlags.Alias)) return (symbol.flags & ts.SymbolFlags.Value) !== 0;
    return !checker.getTypeOnlyAliasDeclaration(symbol) && (checker.getAliasedSymbol(symbol).flags & ts.SymbolFlags.Value) !== 0;
  };
  return checker.getExportsOfModule(checker.getSymbolAtLocation(declarations))
    .filter((symbol) => symbol.declarations.some((d) => d.getSourceFile() === declarations) && isValue(symbol))
    .map((symbol) => symbol.name);
}

test('index.d.ts and the usage files type-check (tsc --noEmit, strict)', { timeout: 60000 }, () => {
  const program = loadProgram();
  const diagnostics = ts.getPreEmitDiagnostics(program).map(describeDiagnostic);
  assert.deepStrictEqual(diagnostics, []);
  assert.deepStrictEqual(declaredValues(program).sort(), Object.keys(cnet).sort());
});
