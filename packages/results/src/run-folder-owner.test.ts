import { mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, acquireRunFolderLock, withRunFolderLock } from './run-folder-lock';
import { RUN_OWNER_FILE, RunFolderOwnedError, readRunFolderOwner } from './run-folder-owner';

/** Every file of a folder with its bytes. */
async function bytes(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(folder)).sort()) files[name] = (await readFile(join(folder, name))).toString('base64');
  return files;
}

describe('run-folder ownership (one record per folder, claimed with the lock)', () => {
  it('a folder records the workflow that first wrote it; another workflow is refused, naming it, and every byte stays', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-owner-'));
    await withRunFolderLock(folder, 'eval-mllm', async () => {
      await writeFile(join(folder, 'answers.jsonl'), '{"question_id":1}\n');
      await writeFile(join(folder, 'run-identity.json'), '{"identity":{}}\n');
    });
    expect(await readRunFolderOwner(folder)).toMatchObject({ schema: 'mmvp.run-owner/1', workflow: 'eval-mllm' });
    const before = await bytes(folder);
    for (const other of ['pope', 'sweep', 'demo', 'eval-vlm']) {
      const error = await withRunFolderLock(folder, other, async () => {
        await writeFile(join(folder, 'answers.jsonl'), 'overwritten\n'); // never reached
      }).catch((caught: unknown) => caught);
      expect(RunFolderOwnedError.isInstance(error), other).toBe(true);
      expect((error as RunFolderOwnedError).owner).toBe('eval-mllm');
      expect((error as Error).message).toBe(
        `--out ${folder} holds an eval-mllm run (see ${join(folder, RUN_OWNER_FILE)}); ${other === 'eval-vlm' ? 'an' : 'a'} ${other} run never writes into another workflow's folder: choose another --out`,
      );
    }
    expect(await bytes(folder)).toEqual(before); // the lock file came and went; nothing else changed
    // the owner resumes its own folder
    const lock = await acquireRunFolderLock(folder, 'eval-mllm');
    await lock.release();
    expect(await bytes(folder)).toEqual(before);
  });

  it('a run that wrote nothing (stopped at bad input) leaves no claim; a broken owner record is named', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-owner-'));
    await withRunFolderLock(folder, 'pope', async () => undefined);
    expect(await readdir(folder)).toEqual([]);
    await withRunFolderLock(folder, 'sweep', async () => writeFile(join(folder, 'sweep-journal.jsonl'), '{}\n'));
    expect((await readRunFolderOwner(folder))?.workflow).toBe('sweep');
    await writeFile(join(folder, RUN_OWNER_FILE), 'not json');
    await expect(acquireRunFolderLock(folder, 'sweep')).rejects.toThrow(`${join(folder, RUN_OWNER_FILE)} is not valid JSON; it records which workflow owns ${folder}: restore it, or choose another --out`);
    expect(await readdir(folder)).not.toContain(LOCK_FILE); // released on refusal
  });

  it('a symbolic link planted in the folder is refused before anything is written through it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-owner-'));
    const elsewhere = join(await mkdtemp(join(tmpdir(), 'mmvp-elsewhere-')), 'victim.txt');
    await writeFile(elsewhere, 'keep me\n');
    await symlink(elsewhere, join(folder, 'answers.jsonl'));
    await expect(withRunFolderLock(folder, 'eval-mllm', async () => writeFile(join(folder, 'answers.jsonl'), 'x\n'))).rejects.toThrow(
      `${join(folder, 'answers.jsonl')} is a symbolic link; mmvp writes no result through a link (it may point anywhere): remove it, or choose another --out`,
    );
    expect(await readFile(elsewhere, 'utf8')).toBe('keep me\n');
    expect((await readdir(folder)).sort()).toEqual(['answers.jsonl']); // no lock, no claim left
  });
});
