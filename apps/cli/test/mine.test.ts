import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCollection } from '../../../packages/mining/src/__fixtures__/make-collection';
import { readMineOutputs } from '@mmvp/study';
import { runCli } from './helpers/run-cli';
import { expectOutFolderRefusedFirst } from './helpers/bad-out-folder';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const clipModel = join(repo, 'models/tiny-clip');
const dinoModel = join(repo, 'models/tiny-dinov2');
// The tiny fixture encoders have random weights: no pair reaches the paper's CLIP > 0.95 with
// DINOv2 < 0.6 on these images, so the tests use looser thresholds that still cut the pair list
// on both sides (some pairs fail each test), which is what exercises the filter.
const clipMin = '0.5';
const dinoMax = '0.95';

let root: string;

/** `mmvp mine` with the tiny encoders, in a child process the test awaits (a synchronous spawn would block vitest's worker RPC). */
async function mine(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const result = await runCli(['mine', '--clip', clipModel, '--dino', dinoModel, ...args]);
  return { status: result.code, stdout: result.stdout, stderr: result.stderr };
}

function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mmvp-mine-cli-'));
  await makeCollection(join(root, 'images'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mmvp mine (built CLI, tiny CLIP and DINOv2)', () => {
  // Which pairs are found (against the encoders run directly and against embedFeatures), exact against
  // usearch, and a store made with another model are checked on mineBlindPairs in
  // packages/study/src/mining/mine-against-encoders.test.ts; here, what the command prints and passes on.
  it('smoke: prints the models, progress and usearch recall, writes the results folder and prints pairs.csv', async () => {
    const out = join(root, 'out-smoke');
    const run = await mine(['--images', join(root, 'images'), '--out', out, '--clip-min', clipMin, '--dino-max', dinoMax, '--k', '5', '--index', 'usearch', '--shard-size', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/CLIP {3}tiny-clip \(onnx\/vision_model\.onnx sha256 [0-9a-f]{12}, image_embeds/);
    expect(run.stderr).toMatch(/images\/s, ETA/);
    expect(run.stderr).toMatch(/usearch recall@5 against exact search on 10 sampled queries: [01]\.\d{4}/);
    expect(run.stdout.trim()).toBe(join(out, 'pairs.csv'));
    const read = await readMineOutputs(out); // a complete result set: every file matches the run's manifest
    expect(Object.keys(read.paths).sort()).toEqual(['contact-sheet.png', 'duplicates.csv', 'errors.csv', 'pairs.csv', 'summary.json']);
    const pairs = parseCsv(await readFile(read.paths['pairs.csv']!, 'utf8'));
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { pairs: number; clipMin: number; dinoMax: number; k: number; index: string };
    expect(summary).toMatchObject({ pairs: pairs.length, clipMin: Number(clipMin), dinoMax: Number(dinoMax), k: 5, index: 'usearch' });
    expect(run.stderr).toContain(`${pairs.length} CLIP-blind pair(s) -> ${join(out, 'pairs.csv')}`);
  });

  it('rejects bad options with the valid choices', async () => {
    const run = await mine(['--images', join(root, 'images'), '--out', join(root, 'out-bad'), '--index', 'faiss']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--index 'faiss' is not valid; valid choices: 'exact' or 'usearch'/);
    const threshold = await mine(['--images', join(root, 'images'), '--out', join(root, 'out-bad'), '--clip-min', '1.5']);
    expect(threshold.stderr).toMatch(/--clip-min must be a number in \[-1, 1\], got '1.5'/);
    const missing = await mine(['--images', join(root, 'nowhere'), '--out', join(root, 'out-bad')]);
    expect(missing.stderr).toMatch(/--images .*nowhere: no such folder or list file/);
    await expect(stat(join(root, 'out-bad'))).rejects.toThrow(/ENOENT/); // nothing created for a failed validation (m21)
  });
});

describe('mmvp mine: a bad --out fails first', () => {
  it('--out onto a file or under a file fails in one line naming --out before any input or model is read', async () => {
    await expectOutFolderRefusedFirst('mine', (missing, out) => ['--clip', missing, '--dino', missing, '--images', missing, '--out', out]);
  });
});
