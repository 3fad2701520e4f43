import { hostname } from 'node:os';
import { mkdir, open, readdir, readFile, rm, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { MmvpError, processAlive, removeDeadWritersTemporaries } from '@mmvp/core';
import { RUN_OWNER_FILE, claimRunFolder } from './run-folder-owner';

/** The lock file's name inside a run folder. */
export const LOCK_FILE = '.mmvp-lock';

/** What a lock file records about the run that holds it. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The workflow that holds it (`eval-mllm`, `sweep`, ...). */
  readonly command: string;
  readonly startedAt: string;
}

/** Another live run holds the folder: the message names it (pid, host, command, start time). */
export class RunFolderLockedError extends MmvpError {
  static override readonly errorName = 'RunFolderLockedError';
  readonly owner: LockOwner | undefined;
  constructor(message: string, owner?: LockOwner) {
    super({ name: 'RunFolderLockedError', message });
    this.owner = owner;
  }
}

/** Options of acquireRunFolderLock. */
export interface RunFolderLockOptions {
  /**
   * false: lock the folder without claiming it for `command` (a command that writes beside another
   * workflow's results by design, as `grade` writes scores beside eval-mllm's answers). Default true.
   */
  readonly claim?: boolean;
}

/** A held run-folder lock: its file, its owner, and release(). */
export interface RunFolderLock {
  readonly folder: string;
  readonly owner: LockOwner;
  /** Removes the lock file (only if it is still ours); safe to call twice. */
  release(): Promise<void>;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return parsed as LockOwner;
  } catch {
    // a lock file being written right now, or garbage: treated as held by an unknown run
  }
  return undefined;
}

/**
 * Takes the exclusive lock of a run folder: one run writes a folder at a time. The lock is a file
 * created with O_EXCL (atomic on local file systems and NFSv3+), holding the owner's pid, host,
 * command and start time. A lock left by a process that no longer exists on this host is stale and
 * is taken over; a lock of a live process, or of another host (whose processes we cannot see), is
 * refused with a message naming the other run and how to clear the lock if that run is gone.
 * Each process keeps its lock until `release()` (or until it exits: the next run sees the pid gone).
 * Holding the lock, it claims the folder for `command` (see claimRunFolder): a folder another
 * workflow owns is refused (RunFolderOwnedError naming it) and the lock released, nothing written.
 */
export async function acquireRunFolderLock(folder: string, command: string, options: RunFolderLockOptions = {}): Promise<RunFolderLock> {
  await mkdir(folder, { recursive: true });
  const path = join(folder, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(owner)}\n`);
      } finally {
        await handle.close();
      }
      let released = false;
      let claimedHere = false;
      const lock: RunFolderLock = {
        folder,
        owner,
        async release() {
          if (released) return;
          released = true;
          const current = await readOwner(path);
          if (current?.pid === owner.pid && current.host === owner.host && current.startedAt === owner.startedAt) await rm(path, { force: true });
          // a run that claimed a folder and then wrote nothing (it stopped at bad input) leaves no claim behind
          if (claimedHere && (await readdir(folder).catch(() => [])).every((name) => name === RUN_OWNER_FILE)) await rm(join(folder, RUN_OWNER_FILE), { force: true });
        },
      };
      try {
        if (options.claim !== false) claimedHere = (await claimRunFolder(folder, command)).claimed; // another workflow's folder: refused before anything else is touched
        await removeDeadWritersTemporaries(folder);
      } catch (error) {
        await lock.release();
        throw error;
      }
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const other = await readOwner(path);
    if (other !== undefined && other.host === owner.host && !processAlive(other.pid)) {
      // stale: its process is gone. Move it aside atomically so two runs cannot both take it over.
      const aside = `${path}.stale-${process.pid}`;
      await rename(path, aside).catch(() => undefined);
      await rm(aside, { force: true });
      continue;
    }
    if (other === undefined && attempt < 2) {
      await new Promise((resolve) => setTimeout(resolve, 50)); // being written; look again
      continue;
    }
    const who = other === undefined ? 'an unknown run (unreadable lock file)' : `'${other.command}' (pid ${other.pid} on ${other.host}, started ${other.startedAt})`;
    const sameHost = other?.host === owner.host;
    throw new RunFolderLockedError(
      `${folder} is in use by ${who}; two runs must not write one folder. Wait for it to finish, or choose another --out` +
        (sameHost ? `; if no such run is going on (its pid reused by another process), delete ${path}` : `; if that run is gone, delete ${path}`),
      other,
    );
  }
  throw new RunFolderLockedError(`${folder}: could not take the lock ${path} after removing a stale one three times (another run is racing for it)`);
}

/** Runs `work` holding the folder's lock, and releases it however `work` ends. */
export async function withRunFolderLock<T>(folder: string, command: string, work: (lock: RunFolderLock) => Promise<T>, options: RunFolderLockOptions = {}): Promise<T> {
  const lock = await acquireRunFolderLock(folder, command, options);
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}
