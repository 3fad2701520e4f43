import { describe, expect, it } from 'vitest';
import { accuracyWithIntervals, comparePairAccuracy, formatWithInterval, mcnemarExact, seededRandom } from './bootstrap';
import type { GradedResult } from './pair-accuracy';

/** n pairs; pair i is right when right(i); questions within a pair follow `questionRight`. */
function pairs(n: number, right: (i: number) => boolean, questionRight: (i: number) => [boolean, boolean] = (i) => [right(i), right(i)]): GradedResult[] {
  const results: GradedResult[] = [];
  for (let i = 0; i < n; i++) {
    const [q1, q2] = right(i) ? [true, true] : questionRight(i);
    results.push({ questionId: 2 * i + 1, pairId: i + 1, correct: q1 }, { questionId: 2 * i + 2, pairId: i + 1, correct: q2 });
  }
  return results;
}

/** The percentile bootstrap over pairs (the default interval before Wilson). */
const BOOTSTRAP = { method: 'bootstrap' } as const;

describe('accuracyWithIntervals with method bootstrap', () => {
  it('matches the normal approximation (Wald interval) on a large set within 0.5 points', () => {
    // 2000 pairs, 30% right: the closed form is p +- 1.96 sqrt(p (1 - p) / n)
    const random = seededRandom(7);
    const flags = Array.from({ length: 2000 }, () => random() < 0.3);
    const result = accuracyWithIntervals(
      pairs(2000, (i) => flags[i]!),
      BOOTSTRAP,
    );
    const p = result.pairAccuracy / 100;
    const half = 100 * 1.96 * Math.sqrt((p * (1 - p)) / 2000);
    expect(Math.abs(result.pairAccuracyCi95[0] - (result.pairAccuracy - half))).toBeLessThan(0.5);
    expect(Math.abs(result.pairAccuracyCi95[1] - (result.pairAccuracy + half))).toBeLessThan(0.5);
  });

  it('keeps pairs whole: the question interval is wider than if questions were independent', () => {
    // both questions of a pair are equal: the effective sample is the pairs, not the questions
    const result = accuracyWithIntervals(
      pairs(
        400,
        (i) => i % 2 === 0,
        () => [false, false],
      ),
      BOOTSTRAP,
    );
    const p = result.questionAccuracy / 100;
    const pairHalf = 100 * 1.96 * Math.sqrt((p * (1 - p)) / 400);
    const width = result.questionAccuracyCi95[1] - result.questionAccuracyCi95[0];
    expect(Math.abs(width - 2 * pairHalf)).toBeLessThan(1);
    expect(width).toBeGreaterThan(2 * 100 * 1.96 * Math.sqrt((p * (1 - p)) / 800) + 1);
  });

  it('contains the point estimate, is reproducible, and degenerates where every pair agrees', () => {
    for (const share of [0.05, 0.25, 0.5, 0.9]) {
      const result = accuracyWithIntervals(
        pairs(
          150,
          (i) => i < share * 150,
          (i) => [i % 3 === 0, false],
        ),
        BOOTSTRAP,
      );
      expect(result.pairAccuracyCi95[0]).toBeLessThanOrEqual(result.pairAccuracy);
      expect(result.pairAccuracyCi95[1]).toBeGreaterThanOrEqual(result.pairAccuracy);
      expect(result.questionAccuracyCi95[0]).toBeLessThanOrEqual(result.questionAccuracy);
      expect(result.questionAccuracyCi95[1]).toBeGreaterThanOrEqual(result.questionAccuracy);
      expect(
        accuracyWithIntervals(
          pairs(
            150,
            (i) => i < share * 150,
            (i) => [i % 3 === 0, false],
          ),
          BOOTSTRAP,
        ),
      ).toEqual(result);
    }
    expect(
      accuracyWithIntervals(
        pairs(20, () => true),
        BOOTSTRAP,
      ).pairAccuracyCi95,
    ).toEqual([100, 100]);
    expect(
      accuracyWithIntervals(
        pairs(20, () => false),
        BOOTSTRAP,
      ).pairAccuracyCi95,
    ).toEqual([0, 0]); // why the default is Wilson
  });

  it('refuses an empty set with one clear message', () => {
    expect(() => accuracyWithIntervals([])).toThrow(/empty set of answers/);
    expect(() =>
      accuracyWithIntervals(
        pairs(3, () => true),
        { resamples: 0 },
      ),
    ).toThrow(/positive integer/);
    expect(() =>
      accuracyWithIntervals(
        pairs(3, () => true),
        { method: 'normal' as 'wilson' },
      ),
    ).toThrow(/wilson, bootstrap/);
  });
});

describe('comparePairAccuracy', () => {
  it('matches the normal approximation of a paired difference and resolves only when 0 is excluded', () => {
    const n = 3000;
    const a = pairs(n, (i) => i % 10 < 3); // 30%
    const b = pairs(n, (i) => i % 10 < 4); // 40%: b is right on every pair a is, plus 10% more
    const result = comparePairAccuracy(a, b);
    expect(result.difference).toBeCloseTo(10, 9);
    expect(result.onlyA).toBe(0);
    expect(result.onlyB).toBe(300);
    // deltas are 0/1 with mean 0.1: sd of the mean = sqrt(0.1 * 0.9 / n)
    const half = 100 * 1.96 * Math.sqrt((0.1 * 0.9) / n);
    expect(Math.abs(result.differenceCi95[0] - (10 - half))).toBeLessThan(0.5);
    expect(Math.abs(result.differenceCi95[1] - (10 + half))).toBeLessThan(0.5);
    expect(result.resolved).toBe(true);
    const same = comparePairAccuracy(a, a);
    expect(same.differenceCi95).toEqual([0, 0]);
    expect(same.resolved).toBe(false);
    expect(same.mcnemarP).toBe(1);
  });

  it('refuses pairs present in only one model', () => {
    expect(() =>
      comparePairAccuracy(
        pairs(3, () => true),
        pairs(4, () => true),
      ),
    ).toThrow(/pair\(s\) 4 are in only one/);
  });
});

describe('mcnemarExact', () => {
  it('equals the two-sided exact binomial test (values computed by hand / scipy.stats.binomtest)', () => {
    expect(mcnemarExact(0, 5)).toBeCloseTo(0.0625, 12); // 2 * (1/2)^5
    expect(mcnemarExact(1, 5)).toBeCloseTo(0.21875, 12); // 2 * (1 + 6) / 64
    expect(mcnemarExact(3, 3)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(2, 12)).toBeCloseTo(0.01293945, 7); // binomtest(2, 14, 0.5).pvalue
    expect(mcnemarExact(400, 600)).toBeLessThan(1e-9);
  });
});

describe('formatWithInterval', () => {
  it('prints value [low, high]', () => {
    expect(formatWithInterval(16.3333, [10.4, 22.25])).toBe('16.3 [10.4, 22.3]');
  });
});
