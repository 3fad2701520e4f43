#!/usr/bin/env node
/**
 * The public API in numbers: for each package entry (every `exports` subpath of packages/* and their
 * TypeScript source), how many value and how many type-only names it exports, and every name that two
 * packages export.
 *
 *   node tools/list-exports.mjs               (a table; exit 1 when a name is exported by two packages, or an
 *                                              entry holds more values than its budget below)
 *   node tools/list-exports.mjs --names       (the names of each entry too)
 *
 * A value is anything that exists at run time (function, class, constant, enum); a type is an interface
 * or a type alias. An entry's source is the `.ts` file under src/ named as the `.js` its package.json names under dist/.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Value-export budgets of the curated entries (issue 26): study's main entry holds what a researcher calls (the
 * workflows, their option schemas and constants, the errors); runners and test helpers live behind subpaths.
 */
const valueBudget = new Map([['@mmvp/study', 60]]);

const root = fileURLToPath(new URL('..', import.meta.url));
const showNames = process.argv.includes('--names');

/** Every entry of every package: its import specifier and its source file. */
function entries() {
  const found = [];
  for (const folder of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const js = typeof target === 'string' ? target : (target.import ?? target.default);
      if (!js?.endsWith('.js')) continue;
      const source = join(root, 'packages', folder, js.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
      found.push({ specifier: subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`, packageName: manifest.name, source });
    }
  }
  return found;
}

const list = entries();
const program = ts.createProgram(
  list.map((entry) => entry.source),
  { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true },
);
const checker = program.getTypeChecker();
const ownersOf = new Map();
const overBudget = [];
let totalValues = 0;
let totalTypes = 0;
for (const entry of list) {
  const file = program.getSourceFile(entry.source);
  const moduleSymbol = file && checker.getSymbolAtLocation(file);
  if (!moduleSymbol) throw new Error(`${entry.source}: not a module`);
  const values = [];
  const types = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    (symbol.flags & ts.SymbolFlags.Value ? values : types).push(exported.name);
    const owners = ownersOf.get(exported.name) ?? new Set();
    owners.add(entry.packageName);
    ownersOf.set(exported.name, owners);
  }
  const budget = valueBudget.get(entry.specifier);
  if (budget !== undefined && values.length > budget) overBudget.push(`${entry.specifier} exports ${values.length} values, over its budget of ${budget}`);
  totalValues += values.length;
  totalTypes += types.length;
  console.log(`${entry.specifier.padEnd(28)} ${String(values.length).padStart(4)} values ${String(types.length).padStart(4)} types`);
  if (showNames) {
    console.log(`  values: ${values.sort().join(', ')}`);
    console.log(`  types:  ${types.sort().join(', ')}`);
  }
}
console.log(`${'all entries'.padEnd(28)} ${String(totalValues).padStart(4)} values ${String(totalTypes).padStart(4)} types`);
const doubles = [...ownersOf].filter(([name, owners]) => owners.size > 1 && name !== 'default');
for (const [name, owners] of doubles) console.log(`exported by ${owners.size} packages: ${name} (${[...owners].join(', ')})`);
for (const line of overBudget) console.log(line);
process.exitCode = doubles.length > 0 || overBudget.length > 0 ? 1 : 0;
