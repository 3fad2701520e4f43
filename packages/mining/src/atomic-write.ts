import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '@mmvp/core';

/**
 * Writes a file so that a reader (or a resumed run after a kill) sees either the old content or the
 * new one, never a half-written file: write to a temporary name in the same folder, then rename.
 */
const TEMPORARY = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes the temporary files a killed writer left in `dir` (`<name>.<pid>.<random>.tmp` whose
 * process is gone); those of a live writer stay. Returns the names removed.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const match = TEMPORARY.exec(name);
    if (match === null || processAlive(Number(match[1]))) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
