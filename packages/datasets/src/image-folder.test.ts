import { mkdir, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvField, temporaryFolder, writeTree } from './__fixtures__/test-folders';
import { listImages, listSubfoldersDetailed } from './image-folder';
import { loadMmvp } from './mmvp-loader';
import { loadMmvpVlm } from './mmvp-vlm-loader';

/** An MMVP folder of 2 pairs whose `MMVP Images` is a symlink to a folder elsewhere (as on a shared drive). */
async function mmvpWithLinkedImages(): Promise<{ dir: string; store: string }> {
  const dir = await temporaryFolder('mmvp-link');
  const store = await temporaryFolder('mmvp-store');
  const rows = [1, 2, 3, 4].map((id) => [id, `Question ${Math.ceil(id / 2)}?`, '(a) Yes (b) No', id % 2 === 1 ? '(a)' : '(b)'].map(csvField).join(','));
  await writeTree(dir, { 'Questions.csv': ['Index,Question,Options,Correct Answer', ...rows].join('\n') + '\n' });
  await writeTree(store, Object.fromEntries([1, 2, 3, 4].map((id) => [`images/${id}.jpg`, 'not decoded by the loader'])));
  await symlink(join(store, 'images'), join(dir, 'MMVP Images'), 'dir');
  return { dir, store };
}

/** An MMVP-VLM folder of 2 types x 1 pair; `linkTypes` moves each type folder away and links it back. */
async function vlmFolder(options: { linkImagesFolder?: boolean; linkTypes?: boolean }): Promise<string> {
  const dir = await temporaryFolder('vlm-link');
  const store = await temporaryFolder('vlm-store');
  const rows = ['Question ID,Type,Statement', '1,Orientation,facing left', '2,Orientation,facing right', '3,Color,red', '4,Color,blue'];
  const root = options.linkImagesFolder ? store : dir;
  await writeTree(root, { 'MMVP_VLM_Images/Orientation/1.jpg': 'x', 'MMVP_VLM_Images/Orientation/2.jpg': 'x', 'MMVP_VLM_Images/Color/3.png': 'x', 'MMVP_VLM_Images/Color/4.png': 'x' });
  await writeTree(dir, { 'Questions.csv': rows.join('\n') + '\n' });
  if (options.linkImagesFolder) await symlink(join(store, 'MMVP_VLM_Images'), join(dir, 'MMVP_VLM_Images'), 'dir');
  if (options.linkTypes) {
    for (const type of ['Orientation', 'Color']) {
      await mkdir(join(store, 'types'), { recursive: true });
      await rename(join(dir, 'MMVP_VLM_Images', type), join(store, 'types', type));
      await symlink(join(store, 'types', type), join(dir, 'MMVP_VLM_Images', type), 'dir');
    }
  }
  return dir;
}

describe('image folders behind symlinks', () => {
  it("a symlinked 'MMVP Images' folder is found and its images listed", async () => {
    const { dir } = await mmvpWithLinkedImages();
    const data = await loadMmvp(dir, { strict: true });
    expect(data.pairs).toHaveLength(2);
    expect(data.issues).toEqual([]);
    expect(data.pairs[1]!.questions[1].imagePath).toBe(join(dir, 'MMVP Images', '4.jpg'));
  });

  it('a symlinked MMVP-VLM image folder and symlinked type folders load like real ones', async () => {
    for (const options of [{ linkImagesFolder: true }, { linkTypes: true }, { linkImagesFolder: true, linkTypes: true }]) {
      const dir = await vlmFolder(options);
      const data = await loadMmvpVlm(dir, { strict: true });
      expect(data.pairs.map((pair) => pair.pattern)).toEqual(['Orientation and Direction', 'Color and Appearance']);
      expect(data.skippedPairs).toEqual([]);
      expect(data.pairs[1]!.statements[1].imagePath).toBe(join(dir, 'MMVP_VLM_Images', 'Color', '4.png'));
    }
  });

  it('symlinked image files are listed; a link that is not an image file is not', async () => {
    const dir = await temporaryFolder('files');
    await writeTree(dir, { 'real/1.jpg': 'x', 'images/keep.txt': 'x' });
    await symlink(join(dir, 'real', '1.jpg'), join(dir, 'images', '1.jpg'));
    await mkdir(join(dir, 'images', '2.jpg')); // a folder with an image's name
    expect([...(await listImages(join(dir, 'images'))).keys()]).toEqual(['1']);
  });

  it('loops (a link to an ancestor, a link chain that never ends) and dangling links are not folders, and are named', async () => {
    const dir = await temporaryFolder('loops');
    await writeTree(dir, { 'real/1.jpg': 'x' });
    await symlink(dir, join(dir, 'up'), 'dir'); // the folder itself: an endless tree
    await symlink(join(dir, 'self'), join(dir, 'self')); // ELOOP
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
    await symlink(join(dir, 'real'), join(dir, 'fine'), 'dir');
    const listed = await listSubfoldersDetailed(dir);
    expect(listed.folders.sort()).toEqual(['fine', 'real']);
    const reasons = Object.fromEntries(listed.unusableLinks.map((link) => [link.name, link.reason]));
    expect(reasons['up']).toMatch(/symlink loop \(it points to .*, which contains the folder it is in\)/);
    expect(reasons['self']).toMatch(/symlink loop \(ELOOP\)/);
    expect(reasons['dangling']).toMatch(/dangling symlink/);
  });

  it('a type folder that loops back is reported with the loop, and its pair is skipped', async () => {
    const dir = await vlmFolder({});
    const color = join(dir, 'MMVP_VLM_Images', 'Color');
    await rename(color, join(dir, 'elsewhere'));
    await symlink(join(dir, 'MMVP_VLM_Images'), color, 'dir');
    const issues: string[] = [];
    const data = await loadMmvpVlm(dir, { onIssue: (issue) => issues.push(issue.message) });
    expect(data.pairs).toHaveLength(1);
    expect(issues[0]).toMatch(/type 'Color' has no image folder .*'Color' is a symlink loop/);
    expect(data.skippedPairs).toEqual([{ pairId: 2, pattern: 'Color and Appearance', reason: issues[0] }]);
    await expect(loadMmvpVlm(dir, { strict: true })).rejects.toThrow(/symlink loop/);
  });
});
