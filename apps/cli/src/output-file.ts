import { mkdir, stat } from 'node:fs/promises';
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
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of that path is a file, not a folder' : (cause as Error).message;
    throw new InvalidArgumentError(`${option} ${absolute}: cannot create the folder ${folder}: ${reason}`, { cause });
  }
  return absolute;
}

/**
 * Checks an output folder before any long work: creates it (and its parents) when missing; a path
 * that is a file, or lies under one, fails with one line naming the option, so results computed
 * later are never lost to a late mkdir error. Returns the absolute path.
 */
export async function prepareOutputFolder(path: string, option: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) throw new InvalidArgumentError(`${option} ${absolute} is a file; give a folder path (it is created if missing)`);
  try {
    await mkdir(absolute, { recursive: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of that path is a file, not a folder' : (cause as Error).message;
    throw new InvalidArgumentError(`${option} ${absolute}: cannot create the folder: ${reason}`, { cause });
  }
  return absolute;
}
