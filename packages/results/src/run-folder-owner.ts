import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { writeFileAtomic } from './write-file-atomic';

/** The file in a run folder that records which workflow owns it (written when a workflow first takes the folder). */
export const RUN_OWNER_FILE = '.mmvp-run.json';

/** The schema tag of RUN_OWNER_FILE. */
const OWNER_SCHEMA = 'mmvp.run-owner/1';

/** What RUN_OWNER_FILE records: the workflow whose results the folder holds. */
export interface RunFolderOwner {
  readonly schema: typeof OWNER_SCHEMA;
  /** `eval-mllm`, `pope`, `sweep`, `mine`, `demo`, `eval-vlm`, `export`, `synth`, ... */
  readonly workflow: string;
  readonly createdAt: string;
}

/** Another workflow owns the folder: its results stay untouched; the message names that workflow. */
export class RunFolderOwnedError extends InvalidArgumentError {
  /** The workflow that owns the folder. */
  readonly owner: string;
  constructor(message: string, owner: string) {
    super(message);
    this.owner = owner;
  }
}

/** Reads a folder's owner record; undefined when the folder has none (new, or written before owner records existed). */
export async function readRunFolderOwner(folder: string): Promise<RunFolderOwner | undefined> {
  const path = join(folder, RUN_OWNER_FILE);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let parsed: Partial<RunFolderOwner>;
  try {
    parsed = JSON.parse(text) as Partial<RunFolderOwner>;
  } catch {
    throw new InvalidArgumentError(`${path} is not valid JSON; it records which workflow owns ${folder}: restore it, or choose another --out`);
  }
  if (parsed.schema !== OWNER_SCHEMA || typeof parsed.workflow !== 'string' || parsed.workflow === '') {
    throw new InvalidArgumentError(`${path} is not an mmvp run-owner record (schema '${OWNER_SCHEMA}', workflow); it records which workflow owns ${folder}: restore it, or choose another --out`);
  }
  return parsed as RunFolderOwner;
}

/**
 * Claims a run folder for `workflow` (`claimed`: this call wrote the record), the caller holding its lock: a folder with no owner record is
 * recorded as `workflow`'s; one owned by `workflow` is its own (a resume, or a run its own rules
 * check); one owned by another workflow is refused with RunFolderOwnedError before anything in it is
 * read or written ("--out X holds an eval-mllm run; choose another --out"). A symbolic link among the
 * folder's entries is refused too (appends would follow it). No flag crosses this:
 * a workflow's `--force` replaces only its own results.
 */
export async function claimRunFolder(folder: string, workflow: string): Promise<{ owner: RunFolderOwner; claimed: boolean }> {
  await refuseLinks(folder);
  const owner = await readRunFolderOwner(folder);
  if (owner !== undefined) {
    if (owner.workflow === workflow) return { owner, claimed: false };
    throw new RunFolderOwnedError(
      `--out ${folder} holds ${article(owner.workflow)} ${owner.workflow} run (see ${join(folder, RUN_OWNER_FILE)}); ${article(workflow)} ${workflow} run never writes into another workflow's folder: choose another --out`,
      owner.workflow,
    );
  }
  const claimed: RunFolderOwner = { schema: OWNER_SCHEMA, workflow, createdAt: new Date().toISOString() };
  await writeFileAtomic(join(folder, RUN_OWNER_FILE), `${JSON.stringify(claimed, null, 2)}\n`);
  return { owner: claimed, claimed: true };
}

/** A symbolic link among a run folder's files would carry appends and writes anywhere on disk: refused, naming it. */
async function refuseLinks(folder: string): Promise<void> {
  for (const name of (await readdir(folder)).sort()) {
    if ((await lstat(join(folder, name))).isSymbolicLink()) {
      throw new InvalidArgumentError(`${join(folder, name)} is a symbolic link; mmvp writes no result through a link (it may point anywhere): remove it, or choose another --out`);
    }
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
