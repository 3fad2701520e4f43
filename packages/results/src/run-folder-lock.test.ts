import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, RunFolderLockedError, acquireRunFolderLock, withRunFolderLock } from './run-folder-lock';

describe('run-folder lock', () => {
  it('refuses a second holder while the first is live, naming it, and frees on release', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-lock-'));
    const first = await acquireRunFolderLock(folder, 'eval-mllm');
    const recorded = JSON.parse(await readFile(join(folder, LOCK_FILE), 'utf8'));
    expect(recorded).toMatchObject({ pid: process.pid, host: hostname(), command: 'eval-mllm' });
    const refused = await acquireRunFolderLock(folder, 'eval-mllm').catch((error: unknown) => error);
    expect(RunFolderLockedError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toContain(`'eval-mllm' (pid ${process.pid} on ${hostname()}`);
    expect((refused as Error).message).toContain(`if no such run is going on (its pid reused by another process), delete ${join(folder, LOCK_FILE)}`);
    await first.release();
    await first.release();
    const second = await acquireRunFolderLock(folder, 'eval-mllm');
    await second.release();
  });

  it('takes over a lock whose process is gone (stale), and refuses another host’s lock with a way out', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-lock-'));
    // a real pid that has exited
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    await writeFile(join(folder, LOCK_FILE), JSON.stringify({ pid: deadPid, host: hostname(), command: 'mine', startedAt: 'then' }));
    const lock = await acquireRunFolderLock(folder, 'mine');
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
    await writeFile(join(folder, LOCK_FILE), JSON.stringify({ pid: 1, host: 'other-machine', command: 'pope', startedAt: 'then' }));
    await expect(acquireRunFolderLock(folder, 'pope')).rejects.toThrow(/in use by 'pope' \(pid 1 on other-machine.*delete .*\.mmvp-lock/);
  });

  it('releases when the work throws', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-lock-'));
    await expect(
      withRunFolderLock(folder, 'x', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await withRunFolderLock(folder, 'x', async () => undefined);
  });

  it('lets exactly one of many concurrent processes hold the folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-lock-'));
    const script = `
      import { acquireRunFolderLock } from ${JSON.stringify(new URL('./run-folder-lock.ts', import.meta.url).pathname)};
      try { await acquireRunFolderLock(${JSON.stringify(folder)}, 'race'); console.log('got'); await new Promise((r) => setTimeout(r, 1500)); }
      catch (error) { console.log(error.name); }`;
    const runs = Array.from(
      { length: 4 },
      () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url).pathname });
          let output = '';
          child.stdout.on('data', (chunk) => (output += chunk));
          child.stderr.on('data', (chunk) => (output += chunk));
          child.on('exit', () => resolve(output.trim()));
        }),
    );
    const outputs = await Promise.all(runs);
    expect(outputs.filter((output) => output === 'got')).toHaveLength(1);
    expect(outputs.filter((output) => output === 'RunFolderLockedError')).toHaveLength(3);
  }, 30_000);
});

describe('temporaries of dead writers', () => {
  it('are removed when the lock is taken; a live writer’s and ordinary files stay', async () => {
    const { mkdir, readdir } = await import('node:fs/promises');
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-lock-tmp-'));
    const child = spawn(process.execPath, ['-e', '0']);
    const dead = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    await writeFile(join(folder, `scores.json.${dead}.tmp`), '{"half":');
    await writeFile(join(folder, `pairs.csv.${dead}.0a1b2c3d.tmp`), '');
    await mkdir(join(folder, `.sweep-${dead}.tmp`));
    await writeFile(join(folder, `answers.jsonl.${process.pid}.tmp`), 'a live writer');
    await writeFile(join(folder, 'answers.jsonl'), '{}\n');
    await withRunFolderLock(folder, 'eval-mllm', async () => {
      expect((await readdir(folder)).sort()).toEqual(['.mmvp-lock', '.mmvp-run.json', 'answers.jsonl', `answers.jsonl.${process.pid}.tmp`]);
    });
  });
});
