import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@mmvp/core';
import { checkOutputFile, checkOutputFolder, createOutputFolder, prepareOutputFile, prepareOutputFolder } from '../src/output-file';

describe('output path checks (before any long work)', () => {
  let scratch = '';
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-output-file-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('prepareOutputFile creates missing parent folders and refuses a folder or a path under a file', async () => {
    const nested = join(scratch, 'a', 'b', 'x.npy');
    expect(await prepareOutputFile(nested, '--out', 'x.npy')).toBe(nested);
    expect((await stat(join(scratch, 'a', 'b'))).isDirectory()).toBe(true);
    await expect(prepareOutputFile(join(scratch, 'a'), '--out', 'x.npy')).rejects.toThrow(`--out ${join(scratch, 'a')} is a folder; give a file path such as ${join(scratch, 'a', 'x.npy')}`);
    const file = join(scratch, 'notes.txt');
    await writeFile(file, 'keep');
    const error = await prepareOutputFile(join(file, 'x.npy'), '--out', 'x.npy').catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(`--out ${join(file, 'x.npy')}: cannot create the folder ${file}: a part of that path is a file, not a folder`);
    expect(await readFile(file, 'utf8')).toBe('keep');
  });

  it('prepareOutputFolder creates the folder and refuses a file or a path under one', async () => {
    const folder = join(scratch, 'runs', 'one');
    expect(await prepareOutputFolder(folder, '--out')).toBe(folder);
    expect((await stat(folder)).isDirectory()).toBe(true);
    await mkdir(folder, { recursive: true });
    expect(await prepareOutputFolder(folder, '--out')).toBe(folder); // existing folder: fine
    const file = join(scratch, 'file.txt');
    await writeFile(file, 'keep');
    await expect(prepareOutputFolder(file, '--out')).rejects.toThrow(`--out ${file} is a file; give a folder path (it is created if missing)`);
    await expect(prepareOutputFolder(join(file, 'sub'), '--out')).rejects.toThrow(`--out ${join(file, 'sub')}: cannot create the folder: a part of that path is a file, not a folder`);
    expect(await readFile(file, 'utf8')).toBe('keep');
  });

  it('checkOutputFolder creates nothing (m21); createOutputFolder then makes it; both refuse a file by name (m12)', async () => {
    const folder = join(scratch, 'later', 'run');
    expect(await checkOutputFolder(folder, '--out')).toBe(folder);
    await expect(stat(join(scratch, 'later'))).rejects.toThrow(/ENOENT/);
    expect(await createOutputFolder(folder, '--out')).toBe(folder);
    expect((await stat(folder)).isDirectory()).toBe(true);
    const file = join(scratch, 'README.md');
    await writeFile(file, 'keep');
    for (const step of [checkOutputFolder, createOutputFolder]) {
      await expect(step(file, '--out')).rejects.toThrow(`--out ${file} is a file; give a folder path (it is created if missing)`);
      await expect(step(join(file, 'a', 'b'), '--out')).rejects.toThrow(/a part of that path is a file, not a folder/);
    }
    expect(await readFile(file, 'utf8')).toBe('keep');
  });

  it('checkOutputFile creates no folder and refuses a folder or a path under a file (m21)', async () => {
    const file = join(scratch, 'deep', 'er', 'x.npy');
    expect(await checkOutputFile(file, '--out', 'x.npy')).toBe(file);
    await expect(stat(join(scratch, 'deep'))).rejects.toThrow(/ENOENT/);
    await expect(checkOutputFile(scratch, '--out', 'x.npy')).rejects.toThrow(`--out ${scratch} is a folder; give a file path such as ${join(scratch, 'x.npy')}`);
    const notes = join(scratch, 'notes2.txt');
    await writeFile(notes, 'keep');
    await expect(checkOutputFile(join(notes, 'a', 'x.npy'), '--out', 'x.npy')).rejects.toThrow(
      `--out ${join(notes, 'a', 'x.npy')}: cannot create the folder ${join(notes, 'a')}: a part of that path is a file, not a folder`,
    );
  });

  // a real read-only mount (needs root and mount(2); skipped elsewhere)
  const mountPoint = join(tmpdir(), `mmvp-ro-${process.pid}`);
  const canMount = (() => {
    if (process.getuid?.() !== 0) return false;
    spawnSync('mkdir', ['-p', mountPoint]);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', mountPoint]).status === 0;
    return mounted;
  })();
  afterAll(() => {
    if (canMount) spawnSync('umount', [mountPoint]);
  });
  it.skipIf(!canMount)('a read-only file system is reported as EROFS, not ENOENT (m11), by every step', async () => {
    const target = join(mountPoint, 'x', 'y');
    await expect(mkdir(target, { recursive: true })).rejects.toThrow(/ENOENT/); // what Node says
    for (const step of [checkOutputFolder, createOutputFolder, prepareOutputFolder]) {
      await expect(step(target, '--out')).rejects.toThrow(`--out ${target}: cannot create the folder: ${mountPoint} is on a read-only file system (EROFS)`);
    }
    await expect(createOutputFolder(target, '--out')).rejects.toThrow(/EROFS/);
    await expect(prepareOutputFile(join(target, 'x.npy'), '--out', 'x.npy')).rejects.toThrow(/read-only file system \(EROFS\)/);
    await expect(checkOutputFile(join(target, 'x.npy'), '--out', 'x.npy')).rejects.toThrow(/read-only file system \(EROFS\)/);
  });
});
