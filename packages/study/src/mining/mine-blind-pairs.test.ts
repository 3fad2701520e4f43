import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCollection } from '../../../mining/src/__fixtures__/make-collection';
import { mineBlindPairs, mineWithCommitHooks, type MineEvent } from './mine-blind-pairs';
import { MINE_COMMIT_FOLDER, completeMineCommit, readMineOutputs, type MineCommitStep } from './mine-outputs';
import { acquireRunFolderLock } from '@mmvp/results';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const clip = join(repo, 'models/tiny-clip');
const dino = join(repo, 'models/tiny-dinov2');
let root = '';
let images = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mmvp-study-mine-'));
  images = (await makeCollection(join(root, 'images'))).dir;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every file of --out except the store and the lock, name -> bytes (base64). */
async function resultFiles(out: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(out)).sort()) {
    if (name === 'store' || name === '.mmvp-lock' || name === '.mmvp-run.json') continue; // the store, the lock and the folder's owner record
    const info = await stat(join(out, name));
    files[name] = info.isDirectory() ? 'folder' : (await readFile(join(out, name))).toString('base64');
  }
  return files;
}

// set A: loose thresholds, with a contact sheet; set B: other thresholds, no contact sheet
const setA = { clipMin: 0.5, dinoMax: 0.95, contactSheet: 4 };
const setB = { clipMin: 0.7, dinoMax: 0.99, contactSheet: 0 };

describe('mineBlindPairs (tiny CLIP and DINOv2)', () => {
  it('reports progress as events, returns a plain result and commits files that match their manifest', async () => {
    const out = join(root, 'plain');
    const events: MineEvent['type'][] = [];
    const result = await mineBlindPairs({ clip, dino, images, out, ...setA, shardSize: 2, onEvent: (event) => events.push(event.type) });
    expect(events[0]).toBe('resolved');
    expect(events).toContain('embedding');
    expect(events.slice(-3)).toEqual(['embedded', 'searched', 'written']);
    expect(result.summary.pairs).toBe(result.pairs.length);
    expect(result.errors.map((e) => e.path.split('/').pop()).sort()).toEqual(['broken.png', 'truncated.jpg']);
    const read = await readMineOutputs(out);
    expect(Object.keys(read.paths).sort()).toEqual(['contact-sheet.png', 'duplicates.csv', 'errors.csv', 'pairs.csv', 'summary.json']);
    expect((await readFile(read.paths['pairs.csv']!, 'utf8')).trim().split('\n')).toHaveLength(result.pairs.length + 1);
  });

  it('refuses a folder that already holds a store unless told to resume or rebuild; the store stays', async () => {
    const out = join(root, 'plain'); // the store of the first test
    const manifest = await readFile(join(out, 'store', 'manifest.json'), 'utf8');
    await expect(mineBlindPairs({ clip, dino, images, out, ...setA })).rejects.toThrow(/store already holds an embedding store; pass --resume to continue it/);
    expect(await readFile(join(out, 'store', 'manifest.json'), 'utf8')).toBe(manifest);
  });

  it('takes a SigLIP folder as the CLIP model: its pooled embedding (the attention-pooling head) is named in the run', async () => {
    const out = join(root, 'siglip');
    const events: string[] = [];
    const result = await mineBlindPairs({ clip: join(repo, 'models/tiny-siglip'), dino, images, out, ...setA, onEvent: (event) => events.push(JSON.stringify(event)) });
    expect(result.summary.pairs).toBe(result.pairs.length);
    expect(`${events.join('\n')}${await readFile(join(out, 'mine.json'), 'utf8').catch(() => '')}`).toMatch(/SigLIP attention-pooling head/);
  });

  it('checks its options: resume with rebuild, a bad cosine, an unknown key', async () => {
    const out = join(root, 'never-made');
    await expect(mineBlindPairs({ clip, dino, images, out, resume: true, rebuild: true })).rejects.toThrow(/resume and rebuild contradict each other/);
    await expect(mineBlindPairs({ clip, dino, images, out, clipMin: 1.5 })).rejects.toThrow(/clipMin: clipMin must be a cosine between -1 and 1/);
    await expect(mineBlindPairs({ clip, dino, images, out, treshold: 1 } as never)).rejects.toThrow(/unknown key\(s\) 'treshold'/);
    await expect(mineBlindPairs({ clip, dino, images: join(root, 'nowhere'), out })).rejects.toThrow(/no such folder or list file/);
    await expect(stat(out)).rejects.toThrow(/ENOENT/); // nothing created for a failed validation
  });

  it('refuses at once while another run holds the folder, naming it', async () => {
    const out = join(root, 'locked');
    const other = await acquireRunFolderLock(out, 'mine');
    try {
      await expect(mineBlindPairs({ clip, dino, images, out })).rejects.toThrow(new RegExp(`in use by 'mine' \\(pid ${process.pid}`));
    } finally {
      await other.release();
    }
  });

  it('a rerun cut at any point of its result commit leaves the old complete set or the new complete set', async () => {
    // references: the pair lists of A and B, from complete runs into their own folders
    const referenceA = join(root, 'reference-a');
    const referenceB = join(root, 'reference-b');
    await mineBlindPairs({ clip, dino, images, out: referenceA, ...setA });
    await mineBlindPairs({ clip, dino, images, out: referenceB, ...setB });
    const pairsA = await readFile(join(referenceA, 'pairs.csv'), 'utf8');
    const pairsB = await readFile(join(referenceB, 'pairs.csv'), 'utf8');
    expect(pairsA).not.toEqual(pairsB);

    const steps: MineCommitStep[] = ['staged', 'committed', 'moved:pairs.csv', 'moved:errors.csv', 'moved:duplicates.csv', 'moved:summary.json', 'removed:contact-sheet.png', 'manifest'];
    const seen: string[] = [];
    for (const [n, killAt] of steps.entries()) {
      const out = join(root, `cut-${n}`);
      await mineBlindPairs({ clip, dino, images, out, ...setA });
      const old = await resultFiles(out);
      const cut = await mineWithCommitHooks(
        { clip, dino, images, out, ...setB, resume: true },
        {
          afterStep: (step) => {
            seen.push(step);
            if (step === killAt) throw new Error(`killed after ${step}`);
          },
        },
      ).catch((error: Error) => error);
      expect((cut as Error).message).toBe(`killed after ${killAt}`);
      if (killAt === 'staged') {
        // before the commit point: --out still holds exactly the old set (beside a staging folder)
        const now = await resultFiles(out);
        expect(Object.keys(now).filter((name) => name.startsWith('.mine-staging-'))).toHaveLength(1);
        expect(Object.fromEntries(Object.entries(now).filter(([name]) => !name.startsWith('.mine-staging-')))).toEqual(old);
        await expect(readMineOutputs(out)).resolves.toBeDefined();
      } else if (killAt !== 'manifest') {
        // a cut commit is never read as a result set
        await expect(readMineOutputs(out)).rejects.toThrow(new RegExp(`${MINE_COMMIT_FOLDER}`));
      }
      // what the next run (or a reader with the lock) does first: complete or discard
      await completeMineCommit(out);
      const after = await resultFiles(out);
      await readMineOutputs(out); // every file matches the manifest
      if (killAt === 'staged') {
        expect(after).toEqual(old);
      } else {
        expect(Object.keys(after)).toEqual(['duplicates.csv', 'errors.csv', 'manifest.json', 'pairs.csv', 'summary.json']);
        expect(await readFile(join(out, 'pairs.csv'), 'utf8')).toBe(pairsB);
        expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))).toMatchObject({ clipMin: setB.clipMin, dinoMax: setB.dinoMax });
      }
    }
    for (const step of steps) expect(seen).toContain(step); // every kill point was reached
  }, 240_000);
});
