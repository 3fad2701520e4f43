import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pearson } from '@mmvp/metrics';
import { describe, expect, it } from 'vitest';
import { correlationWithInterval, demoComparisons, demoFindings } from './findings';
import type { ModelScores } from './model-scores';
import { DEMO_LLAVA_MODELS } from './demo-options';
import { runDemo } from './run-demo';
import { seedSummaries } from './seed-summaries';

const patterns = ['p1', 'p2', 'p3'];
/** A model whose pair k is right when right(k); pairs 1..n, two questions each, pattern of pair k = patterns[k % 3]. */
function model(name: string, n: number, right: (k: number) => boolean): ModelScores {
  const results = Array.from({ length: 2 * n }, (_, q) => ({ questionId: q + 1, pairId: Math.floor(q / 2) + 1, correct: right(Math.floor(q / 2)), pattern: patterns[Math.floor(q / 2) % 3]! }));
  const entry = {
    name,
    strategy: 'clip' as const,
    ratio: null,
    pairs: n,
    questions: 2 * n,
    pairAccuracy: (100 * Array.from({ length: n }, (_, k) => right(k)).filter(Boolean).length) / n,
    questionAccuracy: 0,
    perPattern: {},
    pairAccuracyCi95: [0, 0] as [number, number],
    questionAccuracyCi95: [0, 0] as [number, number],
  };
  return { entry, results, instructionFollowing: 0, instructionFollowingCi95: [0, 0], records: [] };
}

describe('the demo findings', () => {
  it('states "I-MoF beats CLIP-only" only when the paired interval excludes 0', () => {
    const n = 60;
    const clip = model('llava-clip', n, (k) => k % 4 === 0);
    const close = demoComparisons([clip, model('llava-imof', n, (k) => k % 4 === 0 || k === 1)]);
    expect(close).toHaveLength(1);
    expect(close[0]).toMatchObject({ a: 'llava-clip', b: 'llava-imof', onlyA: 0, onlyB: 1, resolved: false });
    const base = {
      patterns,
      clip: {
        perPattern: { p1: 10, p2: 0, p3: 0 },
        perPatternCi95: { p1: [0, 20] as [number, number], p2: [0, 0] as [number, number], p3: [0, 0] as [number, number] },
        average: 3.3,
        averageCi95: [0, 8] as [number, number],
      },
      clipProbe: { average: 50, averageCi95: [40, 60] as [number, number] },
      sslProbe: { average: 50, averageCi95: [40, 60] as [number, number] },
      blindPairs: [],
      pool: 2 * n,
      models: [clip],
      correlation: null,
    };
    const unresolved = demoFindings({ ...base, comparisons: close });
    expect(unresolved.mixture.statement).toMatch(/^I-MoF vs CLIP-only: \+1\.7 points \[0\.0, 5\.0\], McNemar p = 1\.00, 60 pairs; not resolved at this scale/);
    expect(unresolved.mixture.statement).not.toContain('beats');
    const far = demoComparisons([clip, model('llava-imof', n, (k) => k % 4 !== 3)]);
    expect(far[0]!.resolved).toBe(true);
    expect(demoFindings({ ...base, comparisons: far }).mixture.statement).toMatch(/^I-MoF beats CLIP-only: \+50\.0 points \[\d/);
    expect(unresolved.clipBlindness.statement).toContain('below the 25% chance level');
  });

  it('states finding 3 on the seed-averaged comparison when several seeds ran, seed 1 alone after it', () => {
    const n = 60;
    const clipSeeds = [model('llava-clip', n, (k) => k % 4 === 0), model('llava-clip-seed2', n, (k) => k % 4 === 1)];
    const imofSeeds = [model('llava-imof', n, (k) => k % 4 === 0 || k === 1), model('llava-imof-seed2', n, (k) => k % 4 === 1 || k === 2)];
    const seeds = seedSummaries(DEMO_LLAVA_MODELS, [...clipSeeds, ...imofSeeds]);
    const findings = demoFindings({
      patterns,
      clip: { perPattern: { p1: 0, p2: 0, p3: 0 }, perPatternCi95: { p1: [0, 0], p2: [0, 0], p3: [0, 0] }, average: 0, averageCi95: [0, 0] },
      clipProbe: { average: 50, averageCi95: [40, 60] },
      sslProbe: { average: 50, averageCi95: [40, 60] },
      blindPairs: [],
      pool: 2 * n,
      models: [...clipSeeds, ...imofSeeds],
      correlation: null,
      comparisons: demoComparisons([...clipSeeds, ...imofSeeds]),
      seeds,
    });
    expect(findings.mixture.imofVsClipOnlySeedAveraged).toMatchObject({ seedsA: 2, seedsB: 2, resolved: false });
    expect(findings.mixture.statement).toMatch(
      /^I-MoF vs CLIP-only: \+1\.7 points \[-[\d.]+, [\d.]+\] counting seeds and pairs \(\[[\d.]+, [\d.]+\] with the seeds held fixed; 2 vs 2 seeds averaged, 60 pairs\); not resolved at this scale/,
    );
    // the interval that counts seeds is the wider one, and contains the difference
    const averaged = findings.mixture.imofVsClipOnlySeedAveraged!;
    expect(averaged.differenceCi95WithSeeds[0]).toBeLessThan(averaged.differenceCi95[0]);
    expect(averaged.differenceCi95WithSeeds[1]).toBeGreaterThanOrEqual(averaged.differenceCi95[1]);
    expect(findings.mixture.statement).toContain('seed 1 alone: I-MoF vs CLIP-only +1.7 points');
    expect(findings.inheritance.statement).toContain('over 2 seeds: mean 25.0 [');
  });

  it("bootstraps Pearson r over pairs within patterns; the point estimate is the per-pattern scores' r", () => {
    const n = 30; // 10 pairs per pattern
    const clipPairs = Array.from({ length: n }, (_, k) => ({ pattern: patterns[k % 3]!, correct: k % 3 === 0 ? k < 24 : k % 3 === 1 ? k < 12 : k < 3 }));
    const mllm = model('llava-clip', n, (k) => (k % 3 === 0 ? k < 21 : k % 3 === 1 ? k < 9 : false));
    const score = (right: (k: number) => boolean, p: number) => (100 * Array.from({ length: n }, (_, k) => k).filter((k) => k % 3 === p && right(k)).length) / 10;
    const x = patterns.map((_, p) => score((k) => clipPairs[k]!.correct, p));
    const y = patterns.map((_, p) => score((k) => mllm.results[2 * k]!.correct, p));
    const result = correlationWithInterval(
      patterns,
      { pairs: clipPairs, perPattern: Object.fromEntries(patterns.map((p, i) => [p, x[i]!])) },
      { results: mllm.results, perPattern: Object.fromEntries(patterns.map((p, i) => [p, y[i]!])) },
    );
    expect(result.pearson).toBeCloseTo(pearson(x, y), 12);
    expect(result.pearsonCi95).not.toBeNull();
    expect(result.pearsonCi95![0]).toBeLessThanOrEqual(result.pearson!);
    expect(result.pearsonCi95![1]).toBeGreaterThanOrEqual(result.pearson!);
    expect(() => correlationWithInterval(patterns, { pairs: clipPairs.slice(1), perPattern: {} }, { results: mllm.results, perPattern: {} })).toThrow(/same scene/);
  });

  it('stops on an aborted signal and releases the run folder', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-demo-'));
    try {
      const zoo = join(scratch, 'zoo');
      for (const name of ['tiny-clip', 'tiny-ssl', 'llava-clip']) await mkdir(join(zoo, name), { recursive: true });
      const controller = new AbortController();
      controller.abort(new Error('stop here'));
      const events: string[] = [];
      const out = join(scratch, 'out');
      await expect(runDemo({ zoo, out, pairsPerPattern: 1, models: ['llava-clip'], abortSignal: controller.signal, onEvent: (event) => events.push(event.type) })).rejects.toThrow('stop here');
      expect(events).toEqual(['resolved', 'eval-set', 'stage-done']);
      expect(await readdir(out)).not.toContain('.mmvp-lock');
      // a caller without types (JavaScript, a JSON file) can pass any name: the one validation path names the valid ones
      await expect(runDemo({ zoo, out, models: ['llava-x' as 'llava-clip'] })).rejects.toThrow(/runDemo options are invalid: models\.0: 'llava-x' is not valid; choose 'llava-clip'/);
      await expect(runDemo({ zoo, out, pairsPerPattern: 0 })).rejects.toThrow(/runDemo options are invalid: pairsPerPattern/);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
