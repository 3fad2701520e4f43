import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listImages } from './list-images';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mmvp-list-images-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('listImages', () => {
  it('follows symlinked subfolders and file links, and walks a link loop once (#13.11)', async () => {
    const images = join(root, 'images');
    const elsewhere = join(root, 'elsewhere');
    await mkdir(join(images, 'sub'), { recursive: true });
    await mkdir(elsewhere);
    await writeFile(join(images, 'a.png'), 'x');
    await writeFile(join(images, 'notes.txt'), 'x');
    await writeFile(join(images, 'sub', 'b.jpg'), 'x');
    await writeFile(join(elsewhere, 'c.png'), 'x');
    await symlink(elsewhere, join(images, 'linked')); // a symlinked subfolder
    await symlink(join(elsewhere, 'c.png'), join(images, 'd.png')); // a file link
    await symlink(images, join(images, 'sub', 'loop')); // a loop back to the top
    await symlink(join(root, 'gone'), join(images, 'dangling')); // a broken folder link: nothing to list

    const listed = await listImages(images);
    expect(listed).toEqual([join(images, 'a.png'), join(images, 'd.png'), join(images, 'linked', 'c.png'), join(images, 'sub', 'b.jpg')]);
    // independent: GNU find following links (it skips the loop, reporting it on stderr)
    let found = '';
    try {
      found = execFileSync('find', ['-L', images, '-type', 'f', '(', '-name', '*.png', '-o', '-name', '*.jpg', ')'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (error) {
      found = (error as { stdout: string }).stdout; // find exits 1 after reporting the loop
    }
    expect(found.trim().split('\n').sort()).toEqual([...listed].sort());
  });
});
