import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FileFormatError, InvalidConfigError } from '@mmvp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEncoder, fakeModels, fakeProcessor } from './__fixtures__/fake-encoders';
import { makeCollection } from './__fixtures__/make-collection';
import { embedCollection } from './embed-collection';
import { EmbeddingStore } from './embedding-store';
import { listImages } from './list-images';
import { mineCollection } from './mine-collection';

let root: string;
let paths: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mmvp-mining-'));
  await makeCollection(join(root, 'images'));
  paths = await listImages(join(root, 'images'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every pair of distinct images, embedded again directly with the fake encoders: the independent answer. */
async function bruteForcePairs(images: string[], clipMin: number, dinoMax: number): Promise<string[]> {
  const clip = fakeEncoder('colour');
  const dino = fakeEncoder('layout');
  const pixels = await clip.preprocess(images);
  const c = (await clip.embedPixels(pixels)).data;
  const d = (await dino.embedPixels(pixels)).data;
  const cos = (x: Float32Array, dim: number, i: number, j: number) => {
    let dot = 0;
    let ni = 0;
    let nj = 0;
    for (let t = 0; t < dim; t++) {
      dot += x[i * dim + t]! * x[j * dim + t]!;
      ni += x[i * dim + t]! ** 2;
      nj += x[j * dim + t]! ** 2;
    }
    return ni === 0 || nj === 0 ? 0 : dot / Math.sqrt(ni * nj);
  };
  const out: string[] = [];
  for (let i = 0; i < images.length; i++) {
    for (let j = i + 1; j < images.length; j++) {
      if (cos(c, 4, i, j) > clipMin && cos(d, 12, i, j) < dinoMax) out.push([basename(images[i]!), basename(images[j]!)].sort().join('+'));
    }
  }
  return out.sort();
}

const pairNames = (pairs: readonly { imageA: string; imageB: string }[]) => pairs.map((p) => [basename(p.imageA), basename(p.imageB)].sort().join('+')).sort();

async function storeFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { manifest: await readFile(join(dir, 'manifest.json'), 'utf8') };
  for (const name of (await readdir(join(dir, 'shards'))).sort()) out[name] = (await readFile(join(dir, 'shards', name))).toString('base64');
  return out;
}

describe('mineCollection with fake encoders of known blind spots', () => {
  it('lists the folder recursively, images only', () => {
    expect(paths.map((p) => p.slice(join(root, 'images').length + 1))).toEqual([
      'br.png',
      'broken.png',
      'copy-of-rb.png',
      'cyan.png',
      'gray.png',
      'gy.png',
      'orange.png',
      'quad.png',
      'ramp.png',
      'rb.png',
      'sub/stripes.jpg',
      'sub/yg.png',
      'truncated.jpg',
    ]);
  });

  it('finds exactly the pairs a brute-force re-embedding finds, including the hand-known mirror pairs', async () => {
    const result = await mineCollection({ paths, storeDir: join(root, 'store-main'), ...fakeModels(), k: 20, workers: 2, shardSize: 4, batchSize: 3 });
    // the readable images, with rb.png dropped: it is a byte-for-byte copy of copy-of-rb.png, which comes first
    const readable = paths.filter((p) => !/broken|truncated|\/rb\.png$/.test(p));
    const expected = await bruteForcePairs(readable, 0.95, 0.6);
    expect(pairNames(result.pairs)).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['br.png+copy-of-rb.png', 'gy.png+yg.png']));
    for (const pair of result.pairs) {
      expect(pair.clipCosine).toBeGreaterThan(0.95);
      expect(pair.dinoCosine).toBeLessThan(0.6);
      expect(pair.gap).toBeCloseTo(pair.clipCosine - pair.dinoCosine, 6);
    }
    const gaps = result.pairs.map((p) => p.gap);
    expect(gaps).toEqual([...gaps].sort((a, b) => b - a));
    expect(result.errors.map((e) => basename(e.path)).sort()).toEqual(['broken.png', 'truncated.jpg']);
    expect(result.errors.every((e) => /cannot decode/.test(e.message))).toBe(true);
    expect(result.duplicates.map((d) => [basename(d.path), basename(d.duplicateOf)])).toEqual([['rb.png', 'copy-of-rb.png']]);
    expect(result.images).toHaveLength(10);
  });

  it('exact and usearch give the same pairs, and usearch reports its recall', async () => {
    const exact = await mineCollection({ paths, storeDir: join(root, 'store-main'), ...fakeModels(), k: 5, index: 'exact' });
    const approximate = await mineCollection({ paths, storeDir: join(root, 'store-main'), ...fakeModels(), k: 5, index: 'usearch' });
    expect(exact.embed.embedded).toBe(0); // everything came from the store
    expect(pairNames(approximate.pairs)).toEqual(pairNames(exact.pairs));
    console.log(`usearch recall@5 against exact on ${approximate.search.recallQueries} queries: ${approximate.search.recall}`);
    expect(approximate.search.recall).toBeGreaterThan(0.9); // ties between equal cosines may pick either row
    expect(exact.search.recall).toBeUndefined();
  });

  it('workers and the main thread write byte-identical stores', async () => {
    await mineCollection({ paths, storeDir: join(root, 'store-w0'), ...fakeModels(), workers: 0, shardSize: 4, batchSize: 3 });
    expect(await storeFiles(join(root, 'store-w0'))).toEqual(await storeFiles(join(root, 'store-main')));
  });

  it('a run stopped after two shards resumes to the same store and pairs as an uninterrupted run', async () => {
    const controller = new AbortController();
    const storeDir = join(root, 'store-resume');
    await expect(
      mineCollection({
        paths,
        storeDir,
        ...fakeModels(),
        shardSize: 4,
        batchSize: 3,
        workers: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.shardsWritten === 2) controller.abort();
        },
      }),
    ).rejects.toThrow();
    const stopped = await EmbeddingStore.open(storeDir, { models: { clip: fakeModels().clip.identity, dino: fakeModels().dino.identity } });
    expect(stopped.shardCount).toBe(2);
    const resumed = await mineCollection({ paths, storeDir, ...fakeModels(), shardSize: 4, batchSize: 3, workers: 1, k: 20 });
    expect(resumed.embed.skipped).toBe(8);
    expect(resumed.embed.embedded + resumed.embed.errors).toBe(paths.length - 8);
    expect(await storeFiles(storeDir)).toEqual(await storeFiles(join(root, 'store-main')));
    const uninterrupted = await mineCollection({ paths, storeDir: join(root, 'store-main'), ...fakeModels(), k: 20 });
    expect(resumed.pairs).toEqual(uninterrupted.pairs);
  });

  it('a grown collection embeds only its new images', async () => {
    const storeDir = join(root, 'store-grow');
    const first = await mineCollection({ paths: paths.slice(0, 6), storeDir, ...fakeModels() });
    expect(first.embed.embedded + first.embed.errors).toBe(6);
    const models = fakeModels();
    const second = await mineCollection({ paths, storeDir, ...models });
    expect(second.embed.skipped).toBe(6);
    expect(second.embed.embedded + second.embed.errors).toBe(paths.length - 6);
    // the encoders saw only the 6 new readable images (orange quad ramp rb stripes yg)
    expect((models.clip.encoder as ReturnType<typeof fakeEncoder>).embeddedImages).toBe(6);
    expect((models.dino.encoder as ReturnType<typeof fakeEncoder>).embeddedImages).toBe(6);
  });

  it('refuses a store made with another model, naming both, unless told to rebuild', async () => {
    const storeDir = join(root, 'store-main');
    const error = await mineCollection({ paths, storeDir, ...fakeModels(1) }).catch((e: unknown) => e);
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/made with other models/);
    expect(message).toContain(`sha256 ${'a'.repeat(12)}`);
    expect(message).toContain(`sha256 ${'b'.repeat(12)}`);
    expect(message).toMatch(/--rebuild/);
    const rebuilt = await mineCollection({ paths, storeDir: join(root, 'store-w0'), ...fakeModels(1), rebuild: true });
    expect(rebuilt.embed.skipped).toBe(0);
    const again = await mineCollection({ paths, storeDir: join(root, 'store-w0'), ...fakeModels(1), rebuild: true });
    expect(again.embed.skipped).toBe(0); // rebuild discards even a store made with the same models
  });

  it('a manifest that does not match its shards is an error, never reused', async () => {
    const storeDir = join(root, 'store-tamper');
    await mineCollection({ paths: paths.slice(0, 5), storeDir, ...fakeModels(), shardSize: 2 });
    const models = { clip: fakeModels().clip.identity, dino: fakeModels().dino.identity };
    const npy = join(storeDir, 'shards', 'shard-000001.dino.npy');
    const bytes = await readFile(npy);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(npy, bytes);
    await expect(EmbeddingStore.open(storeDir, { models })).rejects.toThrow(/shard-000001\.dino\.npy does not match the sha256/);
    await rm(join(storeDir, 'shards', 'shard-000002.json'));
    await expect(EmbeddingStore.open(storeDir, { models })).rejects.toSatisfy((e: unknown) => FileFormatError.isInstance(e));
    const manifest = JSON.parse(await readFile(join(storeDir, 'manifest.json'), 'utf8'));
    manifest.shards[0].rows = 7;
    await writeFile(join(storeDir, 'manifest.json'), JSON.stringify(manifest));
    await expect(EmbeddingStore.open(storeDir, { models })).rejects.toThrow(/does not match the manifest: 1 images but the manifest says 7/);
  });

  it('refuses to run when the workers would preprocess differently from the encoder', async () => {
    const models = fakeModels();
    const wrong = { ...models.clip, processor: { ...fakeProcessor, options: { size: 4 } } };
    const store = await EmbeddingStore.open(join(root, 'store-parity'), { models: { clip: wrong.identity, dino: models.dino.identity } });
    await expect(embedCollection({ paths, store, models: [wrong, models.dino], workers: 1 })).rejects.toThrow(/does not match the encoder's own preprocess/);
  });
});
