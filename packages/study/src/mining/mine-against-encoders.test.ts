/**
 * mineBlindPairs against an independent path: every pair re-embedded with the encoders directly, the
 * top pairs of an MMVP-Synth collection re-embedded with embedFeatures (what `mmvp embed --pooled`
 * runs), exact against usearch search, and a store made with another model (moved from
 * apps/cli/test/mine.test.ts, same checks on the library; the CLI keeps its smoke run, flag errors,
 * the lock and the kill tests).
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClipVisionEncoder } from '@mmvp/encoder-clip';
import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
import { decodeModel, encodeModel } from '@mmvp/onnx';
import { writeSynth } from '@mmvp/synth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCollection } from '../../../mining/src/__fixtures__/make-collection';
import { embedFeatures } from '../embed/embed-features';
import { mineBlindPairs, type MineEvent } from './mine-blind-pairs';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const clipModel = join(repo, 'models/tiny-clip');
const dinoModel = join(repo, 'models/tiny-dinov2');
// The tiny fixture encoders have random weights: no pair reaches the paper's CLIP > 0.95 with
// DINOv2 < 0.6 on these images, so the tests use looser thresholds that still cut the pair list
// on both sides (some pairs fail each test), which is what exercises the filter.
const clipMin = 0.5;
const dinoMax = 0.95;

let root: string;

function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

/** Runs mineBlindPairs and keeps its events. */
async function mine(options: Parameters<typeof mineBlindPairs>[0]): Promise<{ result: Awaited<ReturnType<typeof mineBlindPairs>>; events: MineEvent[] }> {
  const events: MineEvent[] = [];
  const result = await mineBlindPairs({ ...options, onEvent: (event) => events.push(event) });
  return { result, events };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mmvp-study-mine-independent-'));
  await makeCollection(join(root, 'images'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mineBlindPairs against an independent path (tiny CLIP and DINOv2)', () => {
  it('reports exactly the pairs that pass both thresholds when every pair is re-embedded with the encoders directly', async () => {
    const out = join(root, 'out-exact');
    await mine({ clip: clipModel, dino: dinoModel, images: join(root, 'images'), out, clipMin, dinoMax, k: 20, shardSize: 2 });
    const pairs = parseCsv(await readFile(join(out, 'pairs.csv'), 'utf8'));
    const errors = parseCsv(await readFile(join(out, 'errors.csv'), 'utf8'));
    expect(errors.map((row) => row[0]!.split('/').pop()).sort()).toEqual(['broken.png', 'truncated.jpg']);
    const duplicates = parseCsv(await readFile(join(out, 'duplicates.csv'), 'utf8'));
    expect(duplicates.map((row) => row.map((p) => p.split('/').pop()))).toEqual([['rb.png', 'copy-of-rb.png']]);
    expect(await readFile(join(out, 'contact-sheet.png')).then((b) => b.subarray(1, 4).toString())).toBe('PNG');

    // independent check: embed every distinct readable image again, compare all pairs
    const clip = await createClipVisionEncoder({ modelPath: clipModel });
    const dino = await createDinov2Encoder({ modelPath: dinoModel });
    const images = (await readdir(join(root, 'images'), { recursive: true }))
      .filter((name) => /\.(png|jpg)$/.test(name) && !/broken|truncated|^rb\.png$/.test(name))
      .map((name) => join(root, 'images', name))
      .sort();
    const c = await clip.embedPixels(await clip.preprocess(images)); // [N, Ec]
    const d = await dino.embedPixels(await dino.preprocess(images)); // [N, Ed]
    const ec = c.dims[1]!;
    const ed = d.dims[1]!;
    const expected = new Map<string, [number, number]>();
    let failClip = 0;
    let failDino = 0;
    for (let i = 0; i < images.length; i++) {
      for (let j = i + 1; j < images.length; j++) {
        const cc = cosine(c.data.subarray(i * ec, (i + 1) * ec), c.data.subarray(j * ec, (j + 1) * ec));
        const dd = cosine(d.data.subarray(i * ed, (i + 1) * ed), d.data.subarray(j * ed, (j + 1) * ed));
        if (!(cc > clipMin)) failClip++;
        else if (!(dd < dinoMax)) failDino++;
        else expected.set([images[i]!, images[j]!].sort().join(' + '), [cc, dd]);
      }
    }
    expect(failClip).toBeGreaterThan(0); // the thresholds do cut on both sides
    expect(failDino).toBeGreaterThan(0);
    expect(new Set(pairs.map((row) => [row[0]!, row[1]!].sort().join(' + ')))).toEqual(new Set(expected.keys()));
    for (const [a, b, clipCosine, dinoCosine, gap] of pairs) {
      const [cc, dd] = expected.get([a!, b!].sort().join(' + '))!;
      expect(Math.abs(Number(clipCosine) - cc)).toBeLessThan(1e-5);
      expect(Math.abs(Number(dinoCosine) - dd)).toBeLessThan(1e-5);
      expect(Number(gap)).toBeCloseTo(cc - dd, 5);
    }
    const gaps = pairs.map((row) => Number(row[4]));
    expect(gaps).toEqual([...gaps].sort((x, y) => y - x));
  });

  it('on an MMVP-Synth collection, the top pairs hold their cosines when re-embedded pooled (embedFeatures, as mmvp embed --pooled)', async () => {
    const synth = join(root, 'synth');
    await writeSynth({ out: synth, pairsPerPattern: 2, size: 64, contactSheets: false });
    const out = join(root, 'out-synth');
    // synthetic pairs differ in one small detail, so the tiny encoders rate most of them alike:
    // CLIP > 0.9 and DINOv2 < 0.98 keeps some pairs and drops others
    await mine({ clip: clipModel, dino: dinoModel, images: join(synth, 'MMVP', 'MMVP Images'), out, clipMin: 0.9, dinoMax: 0.98 });
    const pairs = parseCsv(await readFile(join(out, 'pairs.csv'), 'utf8'));
    expect(pairs.length).toBeGreaterThan(0);
    const top = pairs.slice(0, 3);
    const images = [...new Set(top.flatMap((row) => [row[0]!, row[1]!]))];
    const embed = async (model: string) => {
      const { tensor } = await embedFeatures({ model, images, pooled: true }); // [N, E]
      const data = tensor.data as Float32Array;
      const width = tensor.dims[1]!;
      return (a: string, b: string) => {
        const i = images.indexOf(a);
        const j = images.indexOf(b);
        return cosine(data.subarray(i * width, (i + 1) * width), data.subarray(j * width, (j + 1) * width));
      };
    };
    const clipAgain = await embed(clipModel);
    const dinoAgain = await embed(dinoModel);
    for (const [a, b, clipCosine, dinoCosine] of top) {
      expect(clipAgain(a!, b!)).toBeGreaterThan(0.9);
      expect(dinoAgain(a!, b!)).toBeLessThan(0.98);
      expect(Math.abs(clipAgain(a!, b!) - Number(clipCosine))).toBeLessThan(1e-5);
      expect(Math.abs(dinoAgain(a!, b!) - Number(dinoCosine))).toBeLessThan(1e-5);
    }
  });

  it('exact and usearch give the same top pairs, and usearch reports its recall', async () => {
    const options = { clip: clipModel, dino: dinoModel, images: join(root, 'images'), clipMin, dinoMax, k: 5 };
    await mine({ ...options, out: join(root, 'out-k5-exact') });
    const approximate = await mine({ ...options, out: join(root, 'out-k5-usearch'), index: 'usearch' });
    const searched = approximate.events.find((event) => event.type === 'searched') as Extract<MineEvent, { type: 'searched' }>;
    expect([searched.index, searched.k, searched.recallQueries]).toEqual(['usearch', 5, 10]);
    expect(searched.recall).toBeGreaterThanOrEqual(0);
    expect(searched.recall).toBeLessThanOrEqual(1);
    expect(approximate.result.summary).toMatchObject({ index: 'usearch', recall: searched.recall, recallQueries: 10 });
    const top = async (dir: string) => parseCsv(await readFile(join(root, dir, 'pairs.csv'), 'utf8')).slice(0, 10);
    expect(await top('out-k5-usearch')).toEqual(await top('out-k5-exact'));
  });

  it('refuses a store made with another model, naming both models', async () => {
    const out = join(root, 'out-other');
    await mine({ clip: clipModel, dino: dinoModel, images: join(root, 'images'), out, clipMin, dinoMax });
    const other = join(root, 'other-dinov2');
    await cp(dinoModel, other, { recursive: true });
    const onnx = join(other, 'onnx', 'model.onnx');
    const model = decodeModel(await readFile(onnx));
    await writeFile(onnx, encodeModel({ ...model, producer_name: 'another export of the same graph' }));
    const refused = await mineBlindPairs({ clip: clipModel, dino: other, images: join(root, 'images'), out, resume: true, clipMin, dinoMax }).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
    expect(`${(refused as Error).name}: ${(refused as Error).message}`).toMatch(
      /InvalidConfigError: embedding store .* was made with other models: 'dino' store has tiny-dinov2 \(onnx\/model\.onnx sha256 [0-9a-f]{12}.*this run has other-dinov2 \(onnx\/model\.onnx sha256 [0-9a-f]{12}.*differs in ONNX weights/,
    );
    expect((refused as Error).message).toMatch(/--rebuild/);
    const rebuilt = await mine({ clip: clipModel, dino: other, images: join(root, 'images'), out, rebuild: true, clipMin, dinoMax });
    const embedded = rebuilt.events.find((event) => event.type === 'embedded') as Extract<MineEvent, { type: 'embedded' }>;
    expect(embedded.skipped).toBe(0); // "0 already in the store"
    expect(rebuilt.result.summary.pairs).toBe(rebuilt.result.pairs.length);
  });
});
