import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryAccuracyWithInterval } from '@mmvp/metrics';
import { runCli } from './helpers/run-cli';

// MMVP-VLM-layout folder + PyTorch reference from tools/make_vlm_references.py (tiny CLIP of tools/tiny_models.py).
const fixture = fileURLToPath(new URL('../../../packages/metrics/src/__fixtures__/mmvp-vlm-tiny/', import.meta.url));
const model = fileURLToPath(new URL('../../../models/tiny-clip/', import.meta.url));

interface ReferencePair {
  qid1: number;
  qid2: number;
  pattern: string;
  logits: number[][];
  probabilityImage1: [number, number];
  pred1: string;
  pred2: string;
  correct: boolean;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-eval-vlm-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('mmvp eval-vlm', () => {
  it('reproduces the PyTorch run of the official rule on the tiny CLIP (table, per-pair CSV, provenance)', async () => {
    const reference = JSON.parse(await readFile(join(fixture, 'reference.json'), 'utf8')) as { logitScale: number; pairs: ReferencePair[]; perPattern: Record<string, number>; average: number };
    const out = join(scratch, 'out');
    const result = await runCli(['eval-vlm', '--model', model, '--data', fixture, '--out', out, '--logit-scale', String(reference.logitScale), '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/18 pairs in 9 patterns .* model .*vision_model\.onnx \+ .*text_model\.onnx, 32px, cpu/);
    const scores = JSON.parse(result.stdout);
    expect(Object.fromEntries(scores.perPattern.map((row: { pattern: string; score: number }) => [row.pattern, row.score]))).toEqual(reference.perPattern);
    expect(scores.average).toBeCloseTo(reference.average, 10);
    expect(scores.correctPairs).toBe(reference.pairs.filter((pair) => pair.correct).length);
    expect(scores.provenance.model.files.vision.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(scores.provenance.packages['onnxruntime-node']).toBe('1.30.0');
    // 95% intervals: per pattern over that pattern's pairs as PyTorch scored them; average and overall contain their estimates
    for (const row of scores.perPattern as { pattern: string; score: number; ci95: [number, number] }[]) {
      const outcomes = reference.pairs.filter((pair) => pair.pattern === row.pattern).map((pair) => pair.correct);
      expect(row.ci95).toEqual(binaryAccuracyWithInterval(outcomes).ci95);
      expect(scores.perPatternCi95[row.pattern]).toEqual(row.ci95);
      expect(row.ci95[0]).toBeLessThanOrEqual(row.score);
      expect(row.ci95[1]).toBeGreaterThanOrEqual(row.score);
    }
    expect(scores.averageCi95[0]).toBeLessThanOrEqual(scores.average);
    expect(scores.averageCi95[1]).toBeGreaterThanOrEqual(scores.average);
    expect(scores.averageCi95[1]).toBeGreaterThan(scores.averageCi95[0]);
    expect(scores.skippedPairs).toEqual([]);

    const csv = (await readFile(join(out, 'vlm-pairs.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('qid1,qid2,pattern,pred1,pred2,gt1,gt2,q1score,q2score,correct,logit_t1_i1,logit_t1_i2,logit_t2_i1,logit_t2_i2');
    const rows = csv.slice(1).map((line) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/));
    expect(rows).toHaveLength(reference.pairs.length);
    let maxProbabilityDiff = 0;
    rows.forEach((row, i) => {
      const expected = reference.pairs[i]!;
      expect([Number(row[0]), Number(row[1]), row[3], row[4]]).toEqual([expected.qid1, expected.qid2, expected.pred1, expected.pred2]);
      maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(Number(row[7]) - expected.probabilityImage1[0]), Math.abs(Number(row[8]) - expected.probabilityImage1[1]));
    });
    expect(maxProbabilityDiff).toBeLessThan(1e-5);
    const table = await readFile(join(out, 'vlm-scores.md'), 'utf8');
    expect(table).toMatch(/\| Model \| Ori \| Pres \| State \| Qty \| Spat \| Color \| Struct \| Text \| View \| MMVP Average \|/);
    const average = `${scores.average.toFixed(1)} [${scores.averageCi95[0].toFixed(1)}, ${scores.averageCi95[1].toFixed(1)}]`;
    expect(table).toContain(` | ${average} |`);
    expect(table.split('\n')[2]!.match(/\d+\.\d \[\d+\.\d, \d+\.\d\]/g)).toHaveLength(10);
  });

  it('a missing image is reported with file and line and only its pair is left out; --strict fails', async () => {
    const data = join(scratch, 'broken');
    await cp(fixture, data, { recursive: true });
    await rm(join(data, 'MMVP_VLM_Images', 'Color', '22.png'));
    const result = await runCli(['eval-vlm', '--model', model, '--data', data, '--out', join(scratch, 'broken-out'), '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Questions\.csv:23: image MMVP_VLM_Images\/Color\/22\.jpg \(or \.jpeg\/\.png\) is missing; pair 11 is skipped/);
    const scores = JSON.parse(result.stdout);
    expect(scores.pairs).toBe(17);
    expect(scores.skippedPairs).toEqual([{ pairId: 11, reason: expect.stringMatching(/image MMVP_VLM_Images\/Color\/22\.jpg \(or \.jpeg\/\.png\) is missing/) }]);
    const strict = await runCli(['eval-vlm', '--model', model, '--data', data, '--out', join(scratch, 'broken-out2'), '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/DatasetError: MMVP-VLM folder broken: 1 problem\(s\) \(strict mode\)/);
  });

  it('a truncated JPEG skips only its pair, recorded in skippedPairs and said in the summary; --strict fails naming the file', async () => {
    const data = join(scratch, 'truncated');
    await cp(fixture, data, { recursive: true });
    const jpeg = await readFile(fileURLToPath(new URL('../../../packages/image/src/__fixtures__/pillow/inputs/photo-exif6-800x600.jpg', import.meta.url)));
    await rm(join(data, 'MMVP_VLM_Images', 'Color', '22.png'));
    await writeFile(join(data, 'MMVP_VLM_Images', 'Color', '22.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const out = join(scratch, 'truncated-out');
    const result = await runCli(['eval-vlm', '--model', model, '--data', data, '--out', out, '--batch-size', '8']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/mmvp: warning: pair 11 is skipped: cannot decode image .*Color\/22\.jpg/);
    expect(result.stdout).toMatch(/1 pair\(s\) skipped and left out of the scores: pair 11 \(cannot decode image .*22\.jpg/);
    const scores = JSON.parse(await readFile(join(out, 'vlm-eval-scores.json'), 'utf8'));
    expect(scores.pairs).toBe(17);
    expect(scores.skippedPairs).toEqual([{ pairId: 11, reason: expect.stringMatching(/cannot decode image .*22\.jpg/) }]);
    expect(scores.perPattern.find((row: { pattern: string }) => row.pattern === 'Color and Appearance').pairs).toBe(1);
    expect((await readFile(join(out, 'vlm-pairs.csv'), 'utf8')).split('\n').filter((line) => line.startsWith('21,22,'))).toEqual([]);
    const strict = await runCli(['eval-vlm', '--model', model, '--data', data, '--out', join(scratch, 'truncated-out2'), '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^mmvp: FileFormatError: cannot decode image .*Color\/22\.jpg/m);
  });

  it('a folder that is not a CLIP model gives a clear error', async () => {
    const result = await runCli(['eval-vlm', '--model', fixture, '--data', fixture, '--out', join(scratch, 'x')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^mmvp: \w+Error: .*config\.json/m);
  });

  it('--out onto a file or under a file fails in one line naming --out before the model or data is read', async () => {
    const file = join(scratch, 'taken.txt');
    await writeFile(file, 'x');
    for (const out of [file, join(file, 'sub')]) {
      const result = await runCli(['eval-vlm', '--model', join(scratch, 'no-such-model'), '--data', join(scratch, 'no-such-data'), '--out', out]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^mmvp: InvalidArgumentError: --out .*taken\.txt/);
    }
  });

  it('--help says the images may be .jpg or .png', async () => {
    const result = await runCli(['eval-vlm', '--help']);
    expect(result.stdout).toMatch(/<id>\.jpg or \.png/);
  });
});
