import { constants, type Stats } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';

/**
 * Checks an output file path before any long work, so a typo costs nothing: missing parent folders
 * are created (as a researcher expects of `--out results/run1/x.npy`), and a path that is a folder
 * or sits under a file fails with one line naming the option. Returns the absolute path.
 */
export async function prepareOutputFile(path: string, option: string, example: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory()) {
    throw new InvalidArgumentError(`${option} ${absolute} is a folder; give a file path such as ${resolve(absolute, example)}`);
  }
  const folder = dirname(absolute);
  try {
    await mkdir(folder, { recursive: true });
  } catch (cause) {
    throw new InvalidArgumentError(`${option} ${absolute}: cannot create the folder ${folder}: ${await mkdirFailure(folder, cause)}`, { cause });
  }
  return absolute;
}

/**
 * Checks an output file path without creating anything (the `checkOutputFolder` of files): a folder,
 * a path under a file, or an unwritable place fails in one line naming the option. Call it before any
 * long work; `prepareOutputFile` then creates the parent folders right before the file is written, so
 * a failed run leaves no empty folders behind. Returns the absolute path.
 */
export async function checkOutputFile(path: string, option: string, example: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory()) {
    throw new InvalidArgumentError(`${option} ${absolute} is a folder; give a file path such as ${resolve(absolute, example)}`);
  }
  const folder = dirname(absolute);
  const [ancestor, ancestorInfo] = await nearestExisting(folder);
  if (ancestorInfo !== undefined && !ancestorInfo.isDirectory()) {
    throw new InvalidArgumentError(`${option} ${absolute}: cannot create the folder ${folder}: a part of that path is a file, not a folder`);
  }
  try {
    await access(ancestor, constants.W_OK);
  } catch (cause) {
    throw new InvalidArgumentError(`${option} ${absolute}: cannot write there: ${describeCode(cause, ancestor)}`, { cause });
  }
  return absolute;
}

/**
 * Checks an output folder without creating anything, so a command can validate all its inputs first
 * and create the folder only when the run will go ahead (a failed validation leaves no empty folder).
 * Refuses, in one line naming the option: a path that is a file, a path under a file, and a missing
 * folder whose nearest existing parent cannot be written (read-only file system, no permission).
 * Returns the absolute path. Follow it with `createOutputFolder` once the inputs are checked.
 */
export async function checkOutputFolder(path: string, option: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info !== undefined) {
    if (!info.isDirectory()) throw new InvalidArgumentError(`${option} ${absolute} is a file; give a folder path (it is created if missing)`);
    return absolute;
  }
  // missing: the nearest existing ancestor must be a folder we can write
  const [ancestor, ancestorInfo] = await nearestExisting(dirname(absolute));
  if (ancestorInfo !== undefined && !ancestorInfo.isDirectory()) {
    throw new InvalidArgumentError(`${option} ${absolute}: cannot create the folder: a part of that path is a file, not a folder (${ancestor})`);
  }
  try {
    await access(ancestor, constants.W_OK);
  } catch (cause) {
    throw new InvalidArgumentError(`${option} ${absolute}: cannot create the folder: ${describeCode(cause, ancestor)}`, { cause });
  }
  return absolute;
}

/**
 * Creates an output folder checked by `checkOutputFolder` (and its parents). Errors name the option and
 * the real cause: a file in the way (EEXIST/ENOTDIR), a read-only file system (EROFS, which Node's
 * recursive mkdir reports as ENOENT), no permission. Returns the absolute path.
 */
export async function createOutputFolder(path: string, option: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) throw new InvalidArgumentError(`${option} ${absolute} is a file; give a folder path (it is created if missing)`);
  try {
    await mkdir(absolute, { recursive: true });
  } catch (cause) {
    throw new InvalidArgumentError(`${option} ${absolute}: cannot create the folder: ${await mkdirFailure(absolute, cause)}`, { cause });
  }
  return absolute;
}

/**
 * `checkOutputFolder` then `createOutputFolder`: for commands with nothing else to validate first.
 * Prefer the two steps, with the inputs checked in between (QA m21).
 */
export async function prepareOutputFolder(path: string, option: string): Promise<string> {
  return createOutputFolder(await checkOutputFolder(path, option), option);
}

/**
 * Why `mkdir -p folder` failed, in words. Node's recursive mkdir reports ENOENT for a read-only
 * file system or a missing permission; creating the first missing folder alone gives the real code.
 */
async function mkdirFailure(folder: string, cause: unknown): Promise<string> {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of that path is a file, not a folder';
  if (code === 'ENOENT') {
    let first = folder;
    while (dirname(first) !== first && (await stat(dirname(first)).catch(() => undefined)) === undefined) first = dirname(first);
    try {
      await mkdir(first);
    } catch (real) {
      const realCode = (real as NodeJS.ErrnoException).code;
      if (realCode !== 'ENOENT' && realCode !== 'EEXIST') return describeCode(real, dirname(first));
    }
  }
  return (cause as Error).message;
}

function describeCode(error: unknown, where: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return `${where} is on a read-only file system (EROFS)`;
  if (code === 'EACCES' || code === 'EPERM') return `no permission to write in ${where} (${code})`;
  if (code === 'ENOTDIR') return 'a part of that path is a file, not a folder';
  return (error as Error).message;
}

/** The path itself or its nearest ancestor that exists, with its stat (undefined only if none does). */
async function nearestExisting(path: string): Promise<[string, Stats | undefined]> {
  let current = path;
  let info = await stat(current).catch(() => undefined);
  while (info === undefined && dirname(current) !== current) {
    current = dirname(current);
    info = await stat(current).catch(() => undefined);
  }
  return [current, info];
}
