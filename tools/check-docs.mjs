#!/usr/bin/env node
/**
 * API documentation check: every exported function, class, interface, type alias, enum and variable of
 * every package under packages/ has a TSDoc summary (`/** ... *\/`), interface methods included.
 *
 *   pnpm check:docs          (or: node tools/check-docs.mjs [--package @mmvp/x ...])
 *
 * It runs TypeDoc (typedoc.json: entryPointStrategy "packages", validation.notDocumented) without
 * writing any files and fails on each "does not have any documentation" warning, listed by package.
 * `pnpm docs` writes the same reference as HTML into docs/api/ (not committed; see README, Development).
 * PENDING lists packages whose gaps are reported but do not fail yet (work merged in from parallel
 * branches); an empty list is the goal.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

// TODO(lead): packages/study and packages/kernels were edited in parallel when this check landed; add
// their summaries after the merge and empty this list.
const PENDING = new Set([]);

const only = process.argv.flatMap((arg, i) => (arg === '--package' ? [process.argv[i + 1]] : arg.startsWith('--package=') ? [arg.slice('--package='.length)] : []));

async function main() {
  const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
  const args = [typedoc, '--emit', 'none', '--logLevel', 'Warn'];
  if (only.length > 0) for (const name of only) args.push('--entryPoints', join('packages', name.replace('@mmvp/', '')));
  let output = '';
  let failedToRun = false;
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    output = `${stdout}${stderr}`;
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    failedToRun = !output.includes('[warning]') && !output.includes('[error]');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const errors = lines.filter((line) => line.startsWith('[error]'));
  const missing = new Map();
  for (const line of lines) {
    const match = /^\[warning\] (.+), defined in (@mmvp\/[a-z0-9-]+)\/(\S+), does not have any documentation/.exec(line);
    if (!match) continue;
    const [, what, name, file] = match;
    if (!missing.has(name)) missing.set(name, []);
    missing.get(name).push(`${file}: ${what}`);
  }
  let failing = 0;
  for (const [name, items] of [...missing].sort(([a], [b]) => a.localeCompare(b))) {
    const pending = PENDING.has(name);
    if (!pending) failing += items.length;
    console.log(`${name}: ${items.length} exported declaration(s) without a TSDoc summary${pending ? ' (pending, not failing)' : ''}`);
    for (const item of items.sort()) console.log(`  ${item}`);
  }
  if (failedToRun || errors.length > 0) {
    process.stderr.write(`check-docs: typedoc failed:\n${(errors.length > 0 ? errors : lines.slice(-20)).join('\n')}\n`);
    process.exitCode = 1;
  } else if (failing > 0) {
    process.stderr.write(`check-docs: ${failing} exported declaration(s) lack a TSDoc summary\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write('check-docs: every exported declaration has a TSDoc summary\n');
  }
}

main().catch((error) => {
  process.stderr.write(`check-docs: ${error.message}\n`);
  process.exitCode = 1;
});
