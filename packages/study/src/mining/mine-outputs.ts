import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFormatError } from '@mmvp/core';
import { sha256Bytes } from '@mmvp/results';

/**
 * `mine`'s result files are committed as one unit: a killed run leaves either the previous complete
 * set or the new complete set, never new pairs.csv beside an old summary.json.
 *
 * 1. The new files are written into a staging folder inside --out (`.mine-staging-<pid>-<time>/`),
 *    and last of all its `manifest.json`, naming each file with its size and sha256.
 * 2. The staging folder is renamed to `.mine-commit/`: the commit point (one atomic rename).
 * 3. The files are moved into --out, outputs of the old set that the new one lacks are removed, and
 *    the manifest is moved last, to `--out/manifest.json`; then `.mine-commit/` is removed.
 * A run killed before step 2 leaves the old set (the staging folder is garbage, removed by the next
 * run); killed during step 3, the next run or reader finds `.mine-commit/` and completes it
 * (each step can be repeated). Readers trust only files that match a complete manifest.
 */
const MINE_MANIFEST = 'manifest.json';
export const MINE_COMMIT_FOLDER = '.mine-commit';
const STAGING_PREFIX = '.mine-staging-';
/** Every result file `mine` may write into --out (the store/ folder is not one of them). */
const MINE_OUTPUT_FILES = ['pairs.csv', 'errors.csv', 'duplicates.csv', 'contact-sheet.png', 'summary.json'] as const;

/** manifest.json of a mining run: each result file's size and sha256, written last so the set commits as one unit. */
export interface MineManifest {
  readonly format: 'mmvp-mine-outputs/1';
  readonly files: readonly { readonly name: string; readonly bytes: number; readonly sha256: string }[];
}

/** Steps of the commit, for tests that kill it between any two of them. */
export type MineCommitStep = 'staged' | 'committed' | `moved:${string}` | `removed:${string}` | 'manifest';

/** Test hooks into the commit of a mining run's result files. */
export interface MineCommitHooks {
  /** Called after each step; throwing from it simulates a kill at that point. */
  readonly afterStep?: (step: MineCommitStep) => void | Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** A fresh staging folder inside `out` to write the new result files into. */
export async function createMineStaging(out: string): Promise<string> {
  const staging = join(out, `${STAGING_PREFIX}${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  return staging;
}

/**
 * Commits the files of `staging` (written by the caller; `names` lists them) as --out's result set.
 * The caller holds the run-folder lock.
 */
export async function commitMineOutputs(out: string, staging: string, names: readonly string[], hooks: MineCommitHooks = {}): Promise<MineManifest> {
  const files = [];
  for (const name of names) {
    const data = await readFile(join(staging, name));
    files.push({ name, bytes: data.length, sha256: sha256Bytes(data) });
  }
  const manifest: MineManifest = { format: 'mmvp-mine-outputs/1', files };
  await writeFile(join(staging, MINE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  await hooks.afterStep?.('staged');
  await rm(join(out, MINE_COMMIT_FOLDER), { recursive: true, force: true }); // only a stale one can be here: recovery ran first
  await rename(staging, join(out, MINE_COMMIT_FOLDER));
  await hooks.afterStep?.('committed');
  await completeMineCommit(out, hooks);
  return manifest;
}

/**
 * Completes a commit cut short by a kill (moves the rest of `.mine-commit/` into place) and removes
 * staging folders of runs that never committed. Safe to repeat; the caller holds the lock (or knows
 * no writer runs). Returns true when there was a commit to complete.
 */
export async function completeMineCommit(out: string, hooks: MineCommitHooks = {}): Promise<boolean> {
  for (const entry of await readdir(out).catch(() => [] as string[])) {
    if (entry.startsWith(STAGING_PREFIX)) await rm(join(out, entry), { recursive: true, force: true });
  }
  const commit = join(out, MINE_COMMIT_FOLDER);
  const pendingManifest = join(commit, MINE_MANIFEST);
  if (!(await exists(pendingManifest))) {
    await rm(commit, { recursive: true, force: true }); // an empty leftover after the last step
    return false;
  }
  const manifest = parseManifest(await readFile(pendingManifest, 'utf8'), pendingManifest);
  const names = new Set(manifest.files.map((file) => file.name));
  // the old manifest no longer describes --out from the first move on
  await rm(join(out, MINE_MANIFEST), { force: true });
  for (const { name } of manifest.files) {
    if (await exists(join(commit, name))) await rename(join(commit, name), join(out, name));
    await hooks.afterStep?.(`moved:${name}`);
  }
  for (const name of MINE_OUTPUT_FILES) {
    if (names.has(name) || !(await exists(join(out, name)))) continue;
    await rm(join(out, name), { force: true });
    await hooks.afterStep?.(`removed:${name}`);
  }
  await rename(pendingManifest, join(out, MINE_MANIFEST));
  await hooks.afterStep?.('manifest');
  await rm(commit, { recursive: true, force: true });
  return true;
}

function parseManifest(text: string, path: string): MineManifest {
  try {
    const parsed = JSON.parse(text) as MineManifest;
    if (parsed.format === 'mmvp-mine-outputs/1' && Array.isArray(parsed.files)) return parsed;
  } catch {
    // reported below
  }
  throw new FileFormatError(`${path} is not a mine outputs manifest; rerun mmvp mine to write the results again`);
}

/**
 * The result files of a `mine` output folder, checked against its manifest (size and sha256 of each):
 * a folder with a pending commit (`.mine-commit/`) or files that do not match is refused, naming the
 * cause. Returns the manifest and the absolute path of each file.
 */
export async function readMineOutputs(out: string): Promise<{ manifest: MineManifest; paths: Record<string, string> }> {
  if (await exists(join(out, MINE_COMMIT_FOLDER, MINE_MANIFEST))) {
    throw new FileFormatError(`${out} holds a result commit cut short (${MINE_COMMIT_FOLDER}/); the next mmvp mine run into it completes it (or call completeMineCommit)`);
  }
  const path = join(out, MINE_MANIFEST);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) throw new FileFormatError(`${out} has no complete mine results (no ${MINE_MANIFEST}); rerun mmvp mine`);
  const manifest = parseManifest(text, path);
  const paths: Record<string, string> = {};
  for (const file of manifest.files) {
    const data = await readFile(join(out, file.name)).catch(() => undefined);
    if (data === undefined || data.length !== file.bytes || sha256Bytes(data) !== file.sha256) {
      throw new FileFormatError(`${join(out, file.name)} does not match ${path} (${data === undefined ? 'missing' : 'changed'}); rerun mmvp mine`);
    }
    paths[file.name] = join(out, file.name);
  }
  return { manifest, paths };
}
