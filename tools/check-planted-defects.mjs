#!/usr/bin/env node
/**
 * Proof that the repository's checks catch what they are for: in a temporary copy of the repository,
 * each check first passes on the copy as it is, then fails once its defect is planted.
 *
 *   pnpm check:planted          (or: node tools/check-planted-defects.mjs [--keep])
 *
 * | check                          | planted defect                                                    |
 * |--------------------------------|-------------------------------------------------------------------|
 * | lint (`pnpm lint`)             | a `debugger;` statement in @mmvp/core's source                    |
 * | format (`pnpm format:check`)   | a badly spaced line in @mmvp/core's source                        |
 * | typecheck (package `typecheck`)| a type error in a test file (@mmvp/core's tensor.test.ts)         |
 * | publint + attw (check-pack)    | @mmvp/core's `types` pointing at a .d.ts that is not in the tarball |
 * | knip (`pnpm knip`)             | a dependency @mmvp/core never imports                             |
 * | layers (`pnpm check:layers`)   | an import circle in @mmvp/core (tensor.ts imports index.ts)       |
 * |                                | @mmvp/core importing @mmvp/onnx (a higher package layer)          |
 * |                                | study's provenance/ importing queue/ (a higher study folder)      |
 * |                                | study's vlm/ workflow importing the mmvp/ workflow                |
 * |                                | study's queue/ importing the sweep/ workflow (a higher folder)    |
 * |                                | @mmvp/core importing a file of apps/cli                           |
 * | exports (`pnpm check:exports`) | @mmvp/core exporting `formatCsv`, a name @mmvp/results owns       |
 *
 * The copy holds the tracked and untracked-not-ignored files (without models/ and binary fixtures, which
 * no check reads), node_modules folders as symlinks to this checkout's (a workspace package's @mmvp/* links name the copy's packages), and @mmvp/core's built dist/
 * (needs `pnpm build` first). One defect is planted at a time and removed before the next.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const started = Date.now();
const skippedInCopy = /^models\/|\.(onnx|npy|safetensors|jpg|jpeg|png|webp|tgz|bin|data)$/;

function log(message) {
  process.stderr.write(`check-planted: ${message} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

/** Runs a command in the copy; resolves with its exit code and output (never rejects on a non-zero exit). */
async function attempt(copy, command, args) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: copy, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    return { code: typeof error.code === 'number' ? error.code : 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}${error.code === 'ENOENT' ? `${command} not found` : ''}` };
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
const corePackageJson = 'packages/core/package.json';

/** Each check: how it runs, what is planted, and what in its output shows it caught that defect. */
const checks = [
  {
    name: 'lint',
    command: [bin('biome'), ['lint', '--error-on-warnings', '.']],
    plant: { file: 'packages/core/src/tensor.ts', edit: (text) => `${text}\n/** Planted. */\nexport function plantedLintError(): void {\n  debugger;\n}\n` },
    caught: (output) => output.includes('noDebugger'),
  },
  {
    name: 'format',
    command: [bin('biome'), ['format', '.']],
    plant: { file: 'packages/core/src/tensor.ts', edit: (text) => `${text}\n/** Planted. */\nexport const plantedFormatError   =  [ 1,2 ];\n` },
    caught: (output) => output.includes('packages/core/src/tensor.ts'),
  },
  {
    name: 'typecheck (test files included)',
    command: ['pnpm', ['--dir', 'packages/core', 'run', 'typecheck']],
    plant: { file: 'packages/core/src/tensor.test.ts', edit: (text) => `${text}\nexport const plantedTypeError: number = 'not a number';\n` },
    caught: (output) => output.includes('tensor.test.ts') && output.includes('TS2322'),
  },
  {
    name: 'publint + attw on the packed tarball',
    command: [process.execPath, ['tools/check-pack.mjs', '--exports-only', '--package', '@mmvp/core']],
    plant: {
      file: corePackageJson,
      edit: (text) => {
        const manifest = JSON.parse(text);
        manifest.types = './dist/missing.d.ts';
        manifest.exports['.'].types = './dist/missing.d.ts';
        return `${JSON.stringify(manifest, null, 2)}\n`;
      },
    },
    // both tools must see it: publint (a file that does not exist) and attw (no types resolve)
    caught: (output) => {
      const row = output.split('\n').find((line) => line.startsWith('@mmvp/core ')) ?? '';
      const [publint = '', attw = ''] = row.replace(/^@mmvp\/core\s+ok\s+/, '').split(' / ');
      return publint.startsWith('FAILED') && attw.startsWith('FAILED');
    },
  },
  {
    name: 'knip (unused dependency)',
    command: [bin('knip'), ['--no-progress']],
    plant: {
      file: corePackageJson,
      edit: (text) => {
        const manifest = JSON.parse(text);
        manifest.dependencies = { ...manifest.dependencies, 'left-pad': '^1.3.0' };
        return `${JSON.stringify(manifest, null, 2)}\n`;
      },
    },
    caught: (output) => /Unused dependencies[\s\S]*left-pad\s+packages\/core\/package\.json/.test(output),
  },
  {
    name: 'exports (a name exported by two packages)',
    command: [process.execPath, ['tools/list-exports.mjs']],
    plant: { file: 'packages/core/src/index.ts', edit: (text) => `${text}export const formatCsv = 0;\n` },
    caught: (output) => output.includes('exported by 2 packages: formatCsv (@mmvp/core, @mmvp/results)'),
  },
  // dependency-cruiser (.dependency-cruiser.cjs): one planted import per kind of rule
  ...[
    { rule: 'no-circular', file: 'packages/core/src/tensor.ts', line: "import './index';", from: 'packages/core/src/' },
    { rule: 'package-layer-0', file: 'packages/core/src/tensor.ts', line: "import '@mmvp/onnx';", from: 'packages/core/src/tensor.ts' },
    { rule: 'study-folder-layer-0', file: 'packages/study/src/provenance/package-versions.ts', line: "import '../queue/job-plan';", from: 'packages/study/src/provenance/package-versions.ts' },
    { rule: 'study-workflow-imports-no-workflow', file: 'packages/study/src/vlm/vlm-outputs.ts', line: "import '../mmvp/mmvp-answer-record';", from: 'packages/study/src/vlm/vlm-outputs.ts' },
    { rule: 'study-folder-layer-2', file: 'packages/study/src/queue/start-worker.ts', line: "import '../sweep/ratios';", from: 'packages/study/src/queue/start-worker.ts' },
    { rule: 'no-import-of-apps', file: 'packages/core/src/tensor.ts', line: "import '../../../apps/cli/src/version';", from: 'packages/core/src/tensor.ts' },
  ].map(({ rule, file, line, from }) => ({
    name: `layers (${rule})`,
    command: [bin('depcruise'), ['--config', '.dependency-cruiser.cjs', 'packages', 'apps/cli/src']],
    plant: { file, edit: (text) => `${line}\n${text}` },
    caught: (output) => output.includes(`error ${rule}: ${from}`),
  })),
];

async function makeCopy() {
  const copy = await mkdtemp(join(tmpdir(), 'mmvp-planted-'));
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const files = stdout.split('\0').filter((file) => file !== '' && !skippedInCopy.test(file) && existsSync(join(root, file)));
  for (const file of files) {
    await mkdir(dirname(join(copy, file)), { recursive: true });
    await cp(join(root, file), join(copy, file));
  }
  // node_modules as symlinks: the root's, and each workspace package's (pnpm links @mmvp/* and bins there)
  const folders = ['.', 'benchmarks'];
  for (const parent of ['packages', 'apps', 'examples']) {
    for (const entry of await readdir(join(root, parent), { withFileTypes: true })) if (entry.isDirectory()) folders.push(join(parent, entry.name));
  }
  for (const folder of folders) {
    const from = join(root, folder, 'node_modules');
    const to = join(copy, folder, 'node_modules');
    if (!existsSync(from) || !existsSync(join(copy, folder))) continue;
    if (folder === '.') {
      await symlink(from, to, 'dir');
      continue;
    }
    // a workspace package's own node_modules: its @mmvp/* links keep their relative targets, so they name the copy's
    // packages (knip credits an import of @mmvp/x to the copy's source, not this checkout's); the rest link here
    await mkdir(to);
    for (const entry of await readdir(from, { withFileTypes: true })) {
      if (entry.name !== '@mmvp') {
        await symlink(join(from, entry.name), join(to, entry.name));
        continue;
      }
      await mkdir(join(to, '@mmvp'));
      for (const link of await readdir(join(from, '@mmvp'))) await symlink(await readlink(join(from, '@mmvp', link)), join(to, '@mmvp', link));
    }
  }
  if (!existsSync(join(root, 'packages/core/dist/index.d.ts'))) throw new Error('packages/core/dist is missing: run `pnpm build` first (the package check packs what is built)');
  await cp(join(root, 'packages/core/dist'), join(copy, 'packages/core/dist'), { recursive: true });
  // Biome reads .gitignore through git (vcs.useIgnoreFile), so the copy is a (fresh, empty) repository
  await run('git', ['init', '--quiet'], { cwd: copy });
  return { copy, files: files.length };
}

async function main() {
  const { copy, files } = await makeCopy();
  log(`copied ${files} files to ${copy}`);
  const rows = [];
  // the copy is the same before every plant, so checks that share a command share its clean run
  const cleanRuns = new Map();
  try {
    for (const check of checks) {
      const [command, args] = check.command;
      const key = JSON.stringify(check.command);
      if (!cleanRuns.has(key)) cleanRuns.set(key, await attempt(copy, command, args));
      const clean = cleanRuns.get(key);
      const path = join(copy, check.plant.file);
      const original = await readFile(path, 'utf8');
      await writeFile(path, check.plant.edit(original));
      const planted = await attempt(copy, command, args);
      await writeFile(path, original);
      const ok = clean.code === 0 && planted.code !== 0 && check.caught(planted.output);
      rows.push({ name: check.name, clean: clean.code === 0 ? 'passes' : 'FAILS', planted: planted.code !== 0 ? (check.caught(planted.output) ? 'fails, defect named' : 'fails, defect NOT named') : 'PASSES', ok });
      if (!ok) {
        const tail = (text) => text.trim().split('\n').slice(-15).join('\n');
        process.stderr.write(`check-planted: ${check.name}:\n--- clean copy (exit ${clean.code}):\n${tail(clean.output)}\n--- planted (exit ${planted.code}):\n${tail(planted.output)}\n`);
      }
      log(`${check.name}: done`);
    }
  } finally {
    const width = Math.max(...checks.map((c) => c.name.length));
    console.log(`${'check'.padEnd(width)}  unplanted  planted`);
    for (const row of rows) console.log(`${row.name.padEnd(width)}  ${row.clean.padEnd(9)}  ${row.planted}`);
    if (keep) log(`kept ${copy}`);
    else await rm(copy, { recursive: true, force: true });
  }
  const failed = rows.filter((row) => !row.ok);
  if (failed.length > 0 || rows.length !== checks.length) {
    process.exitCode = 1;
    log(`${failed.length} of ${checks.length} checks did not pass clean and fail planted`);
  } else {
    log(`all ${checks.length} checks pass on the copy and fail on their planted defect`);
  }
}

main().catch((error) => {
  process.stderr.write(`check-planted: ${error.message}\n`);
  process.exitCode = 1;
});
