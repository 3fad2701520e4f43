import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDeadWritersTemporaries } from './dead-writers';

describe('what a killed writer leaves', () => {
  it('removes the temporary files of a dead writer and keeps a live writer’s and every other file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-atomic-'));
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    await writeFile(join(dir, `shard-000002.json.${deadPid}.f6765a4c.tmp`), ''); // what a SIGKILL mid-write left
    await writeFile(join(dir, `shard-000003.json.${process.pid}.0a1b2c3d.tmp`), 'in flight');
    await writeFile(join(dir, 'shard-000001.json'), '{}\n');
    await writeFile(join(dir, 'notes.tmp'), 'not ours');
    expect(await removeDeadWritersTemporaries(dir)).toEqual([`shard-000002.json.${deadPid}.f6765a4c.tmp`]);
    expect((await readdir(dir)).sort()).toEqual(['notes.tmp', 'shard-000001.json', `shard-000003.json.${process.pid}.0a1b2c3d.tmp`]);
    expect(await removeDeadWritersTemporaries(join(dir, 'missing'))).toEqual([]);
  });
});
