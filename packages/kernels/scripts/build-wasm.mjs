#!/usr/bin/env node
/**
 * Compiles src/wasm/token-kernels.wat with wabt into src/wasm/token-kernels-wasm.ts (the module's
 * bytes as base64, so tsup bundles them into dist/index.js and the tarball needs no extra file).
 * Runs first in `pnpm build`; the generated file is committed, and wasm-build.test.ts fails when it
 * is not what this script makes from the current .wat.
 *
 *   node scripts/build-wasm.mjs          write the generated module
 *   node scripts/build-wasm.mjs --check  exit 1 when the committed module is stale
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileTokenKernelsWat, generatedModuleSource } from './compile-wat.mjs';

const source = fileURLToPath(new URL('../src/wasm/token-kernels.wat', import.meta.url));
const target = fileURLToPath(new URL('../src/wasm/token-kernels-wasm.ts', import.meta.url));

const text = generatedModuleSource(await compileTokenKernelsWat(await readFile(source, 'utf8')));
if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    console.error(`${target} is stale: run node scripts/build-wasm.mjs (or pnpm build) and commit it`);
    process.exit(1);
  }
} else if ((await readFile(target, 'utf8').catch(() => '')) !== text) {
  await writeFile(target, text); // only when it changed: an unchanged build leaves the file (and its mtime) alone
}
