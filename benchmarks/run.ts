/**
 * Runs the side-by-side benchmarks: every `src/*.bench.ts` (or those named on the command line:
 * `pnpm bench image encoders`). Each file default-exports `async function run(): Promise<void>` that
 * prints its own table with ratios. Benchmarks are never tests: nothing here asserts a time.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';

const dir = fileURLToPath(new URL('./src/', import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
const selected = wanted.length === 0 ? files : files.filter((f) => wanted.some((w) => f.startsWith(w)));
if (selected.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}; available: ${files.map((f) => f.replace('.bench.ts', '')).join(', ')}`);
  process.exit(1);
}
console.log(`mmvp benchmarks on ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
for (const file of selected) {
  console.log(`\n=== ${file.replace('.bench.ts', '')} ===`);
  const module = (await import(new URL(`./src/${file}`, import.meta.url).href)) as { default: () => Promise<void> };
  await module.default();
}
