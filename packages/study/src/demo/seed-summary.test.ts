import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapMeanPercent, comparePairAccuracy, type GradedResult } from '@mmvp/metrics';
import { describe, expect, it } from 'vitest';
import { DEMO_LLAVA_MODELS } from './demo-options';
import type { ModelScores } from './model-scores';
import { seedSummaries, writeSeedSummary } from './seed-summaries';
import { compareSeedAveraged, seedMeanPerPair, summarizeSeeds } from './seed-summary';

/** Pairs 1..n, two questions each; pair k (0-based) right when right(k). */
function graded(n: number, right: (k: number) => boolean): GradedResult[] {
  return Array.from({ length: 2 * n }, (_, q) => ({ questionId: q + 1, pairId: Math.floor(q / 2) + 1, correct: right(Math.floor(q / 2)) }));
}

describe('seed summaries', () => {
  it('with one seed per side reproduces comparePairAccuracy (same draws, same interval)', () => {
    const a = graded(150, (k) => k % 4 === 0);
    const b = graded(150, (k) => k % 3 === 0);
    const paired = comparePairAccuracy(a, b);
    const averaged = compareSeedAveraged({ name: 'a', results: [a] }, { name: 'b', results: [b] }, 'test');
    expect(averaged.difference).toBeCloseTo(paired.difference, 9);
    expect(averaged.differenceCi95).toEqual(paired.differenceCi95);
    expect(averaged.resolved).toBe(paired.resolved);
  });

  it('averages seeds per pair and states mean, sample sd and range (hand-checked)', () => {
    // 4 pairs; seed 1 right on pairs 1,2; seed 2 on pair 1; seed 3 on pairs 1,2,3 -> 50%, 25%, 75%
    const seeds = [graded(4, (k) => k < 2), graded(4, (k) => k < 1), graded(4, (k) => k < 3)];
    expect(Array.from(seedMeanPerPair(seeds, 'x').values)).toEqual([1, 2 / 3, 1 / 3, 0]);
    const runs = [50, 25, 75].map((pairAccuracy, i) => ({ model: `m${i}`, seed: i + 1, pairAccuracy, pairAccuracyCi95: [0, 100] as const, instructionFollowing: 60 + i }));
    const summary = summarizeSeeds('x', runs, seeds);
    expect(summary.mean).toBe(50);
    expect(summary.sd).toBeCloseTo(25, 12); // deviations -0, -25, +25 -> sqrt(1250 / 2)
    expect([summary.min, summary.max]).toEqual([25, 75]);
    expect(summary.instructionFollowingMean).toBe(61);
    expect(summary.meanCi95[0]).toBeGreaterThanOrEqual(0);
    expect(summary.meanCi95[1]).toBeLessThanOrEqual(100);
    expect(summary.meanCi95[0]).toBeLessThan(50);
    expect(summary.meanCi95[1]).toBeGreaterThan(50);
  });

  it('a constant per-pair difference has a zero-width interval; a mixed one is resolved only when it excludes 0', () => {
    expect(bootstrapMeanPercent(new Float64Array([0.5, 0.5, 0.5]))).toEqual({ mean: 50, ci95: [50, 50] });
    const clip = [graded(60, (k) => k % 4 === 0), graded(60, (k) => k % 4 === 1)];
    const better = [graded(60, (k) => k % 4 !== 3), graded(60, (k) => k % 4 !== 2)];
    const c = compareSeedAveraged({ name: 'llava-clip', results: clip }, { name: 'llava-imof', results: better }, 'test');
    expect(c.difference).toBeCloseTo(50, 9);
    expect(c.resolved).toBe(true);
    const same = compareSeedAveraged({ name: 'llava-clip', results: clip }, { name: 'llava-imof', results: [clip[1]!, clip[0]!] }, 'test');
    expect(same.difference).toBe(0);
    expect(same.resolved).toBe(false);
  });

  it('refuses seeds that answered different pairs', () => {
    expect(() => seedMeanPerPair([graded(4, () => true), graded(5, () => true)], 'llava-imof')).toThrow(/llava-imof: seed 2 answered other pairs than seed 1/);
  });

  it('groups the demo models by configuration and writes seeds.json and seeds.csv', async () => {
    const scores = (name: string, right: (k: number) => boolean): ModelScores => {
      const results = graded(20, right).map((r) => ({ ...r, pattern: 'p' }));
      const pairs = Array.from({ length: 20 }, (_, k) => right(k)).filter(Boolean).length;
      const entry = {
        name,
        strategy: 'clip' as const,
        ratio: null,
        pairs: 20,
        questions: 40,
        pairAccuracy: (100 * pairs) / 20,
        questionAccuracy: 0,
        perPattern: {},
        pairAccuracyCi95: [0, 100] as [number, number],
        questionAccuracyCi95: [0, 0] as [number, number],
      };
      return { entry, results, instructionFollowing: 50, instructionFollowingCi95: [40, 60], records: [] };
    };
    const scored = [scores('llava-clip', (k) => k < 4), scores('llava-clip-seed2', (k) => k < 6), scores('llava-imof', (k) => k < 10), scores('llava-amof-0.5', (k) => k < 2)];
    const seeds = seedSummaries(DEMO_LLAVA_MODELS, scored);
    expect(seeds.summaries.map((s) => [s.configuration, s.seeds.length, s.mean])).toEqual([['llava-clip', 2, 25]]);
    expect(seeds.comparisons).toHaveLength(1);
    expect(seeds.comparisons[0]).toMatchObject({ a: 'llava-clip', b: 'llava-imof', seedsA: 2, seedsB: 1, pairs: 20, difference: 25 });
    const out = await mkdtemp(join(tmpdir(), 'mmvp-seeds-'));
    try {
      await writeSeedSummary(out, seeds);
      const json = JSON.parse(await readFile(join(out, 'seeds.json'), 'utf8'));
      expect(json.format).toBe('mmvp-seeds/v1');
      const lines = (await readFile(join(out, 'seeds.csv'), 'utf8')).trim().split('\n');
      expect(lines[0]).toBe('configuration,model,seed,pair_accuracy,ci95_low,ci95_high,sd_over_seeds,caption_question_accuracy');
      expect(lines.slice(1).map((line) => line.split(',').slice(0, 4))).toEqual([
        ['llava-clip', 'llava-clip', '1', '20'],
        ['llava-clip', 'llava-clip-seed2', '2', '30'],
        ['llava-clip', 'mean', '1+2', '25'],
      ]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
