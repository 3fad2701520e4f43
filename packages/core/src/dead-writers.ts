import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from './process-alive';

/**
 * A temporary file or folder named after its writer's pid, as mmvp's atomic writers name them:
 * `x.json.<pid>.tmp`, `x.json.<pid>.<hex>.tmp`, `.sweep-<pid>.tmp`.
 */
const TEMPORARY = /[.-](\d+)(?:\.[0-9a-f]+)?\.tmp$/;

/**
 * Removes from `folder` (top level only) the temporaries of writers that no longer exist: a run
 * killed between writing a temporary and renaming it leaves one behind. A live writer's stay, and so
 * does every other file. Returns the names removed (none for a missing folder).
 */
export async function removeDeadWritersTemporaries(folder: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const match = TEMPORARY.exec(name);
    if (match === null || processAlive(Number(match[1]))) continue;
    await rm(join(folder, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
