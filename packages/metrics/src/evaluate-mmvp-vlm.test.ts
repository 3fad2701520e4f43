import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileFormatError, MMVP_PATTERNS } from '@mmvp/core';
import { loadMmvpVlm } from '@mmvp/datasets';
import { createClipTextEncoder, createClipVisionEncoder } from '@mmvp/encoder-clip';
import { evaluateMmvpVlm } from './evaluate-mmvp-vlm';

// Folder and PyTorch reference made by tools/make_vlm_references.py (the official evaluate_vlm.py rule
// run on the tiny CLIP of tools/tiny_models.py in PyTorch).
const folder = fileURLToPath(new URL('./__fixtures__/mmvp-vlm-tiny/', import.meta.url));
const modelPath = fileURLToPath(new URL('../../../models/tiny-clip/', import.meta.url));

interface ReferencePair {
  qid1: number;
  qid2: number;
  pattern: string;
  logits: [[number, number], [number, number]];
  probabilityImage1: [number, number];
  pred1: string;
  pred2: string;
  correct: boolean;
}

describe('evaluateMmvpVlm on the tiny CLIP vs PyTorch', () => {
  it('matches the reference logits, predictions and per-pattern scores', async () => {
    const reference = JSON.parse(await readFile(`${folder}reference.json`, 'utf8')) as { logitScale: number; pairs: ReferencePair[]; perPattern: Record<string, number>; average: number };
    const data = await loadMmvpVlm(folder, { strict: true });
    const vision = await createClipVisionEncoder({ modelPath, intraOpThreads: 1 });
    const text = await createClipTextEncoder({ modelPath, intraOpThreads: 1 });
    const result = await evaluateMmvpVlm(data.pairs, { vision, text, logitScale: reference.logitScale, order: MMVP_PATTERNS, pairsPerStep: 5 });
    expect(result.rows.map((row) => [row.qid1, row.qid2, row.pattern])).toEqual(reference.pairs.map((pair) => [pair.qid1, pair.qid2, pair.pattern]));
    let maxLogitDiff = 0;
    let maxProbabilityDiff = 0;
    result.rows.forEach((row, i) => {
      const expected = reference.pairs[i]!;
      for (let t = 0; t < 2; t++) {
        for (let j = 0; j < 2; j++) maxLogitDiff = Math.max(maxLogitDiff, Math.abs(row.logits[t]![j]! - expected.logits[t]![j]!));
        maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(row.probabilityImage1[t]! - expected.probabilityImage1[t]!));
      }
    });
    console.log(`tiny CLIP MMVP-VLM vs PyTorch: max |logit diff| ${maxLogitDiff.toExponential(2)}, max |P diff| ${maxProbabilityDiff.toExponential(2)}`);
    expect(maxLogitDiff).toBeLessThan(1e-4);
    expect(maxProbabilityDiff).toBeLessThan(1e-5);
    expect(result.rows.map((row) => [row.pred1, row.pred2, row.correct])).toEqual(reference.pairs.map((pair) => [pair.pred1, pair.pred2, pair.correct]));
    expect(Object.fromEntries(result.perPattern.map((row) => [row.pattern, row.score]))).toEqual(reference.perPattern);
    expect(result.perPattern.map((row) => row.pattern)).toEqual([...MMVP_PATTERNS]);
    expect(result.average).toBeCloseTo(reference.average, 10);
    await vision.dispose();
  });

  it("'skip-pair' leaves out only the pair with a truncated JPEG (the others score as before); 'fail' throws naming the file", async () => {
    const reference = JSON.parse(await readFile(`${folder}reference.json`, 'utf8')) as { logitScale: number; pairs: ReferencePair[] };
    const scratch = await mkdtemp(join(tmpdir(), 'mmvp-vlm-truncated-'));
    try {
      await cp(folder, scratch, { recursive: true });
      const jpeg = await readFile(fileURLToPath(new URL('../../image/src/__fixtures__/pillow/inputs/photo-exif6-800x600.jpg', import.meta.url)));
      await rm(join(scratch, 'MMVP_VLM_Images', 'Color', '22.png'));
      await writeFile(join(scratch, 'MMVP_VLM_Images', 'Color', '22.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
      const data = await loadMmvpVlm(scratch, { strict: true }); // the file exists: only decoding finds it broken
      const vision = await createClipVisionEncoder({ modelPath, intraOpThreads: 1 });
      const text = await createClipTextEncoder({ modelPath, intraOpThreads: 1 });
      const options = { vision, text, logitScale: reference.logitScale, order: MMVP_PATTERNS, pairsPerStep: 4 };
      const result = await evaluateMmvpVlm(data.pairs, { ...options, unreadableImages: 'skip-pair' });
      expect(result.skipped).toHaveLength(1);
      expect(result.skipped[0]).toMatchObject({ index: 10, qid1: 21, qid2: 22, pattern: 'Color and Appearance' });
      expect(result.skipped[0]!.reason).toMatch(/22\.jpg/);
      const others = reference.pairs.filter((pair) => pair.qid2 !== 22);
      expect(result.rows.map((row) => [row.qid1, row.pred1, row.pred2, row.correct])).toEqual(others.map((pair) => [pair.qid1, pair.pred1, pair.pred2, pair.correct]));
      const color = result.perPattern.find((row) => row.pattern === 'Color and Appearance')!;
      expect([color.pairs, color.correctPairs]).toEqual([1, others.filter((pair) => pair.pattern === 'Color and Appearance' && pair.correct).length]);
      const error = await evaluateMmvpVlm(data.pairs, options).catch((caught: unknown) => caught);
      expect(FileFormatError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/22\.jpg/);
      await vision.dispose();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
