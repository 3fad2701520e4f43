import { describe, expect, it } from 'vitest';
import { binaryAccuracyWithInterval, meanOfGroupsWithInterval } from './binary-interval';
import { seededRandom } from './bootstrap';

/** P(X <= k) for X ~ Binomial(n, p), summed term by term. */
function binomialCdf(k: number, n: number, p: number): number {
  let term = (1 - p) ** n; // P(X = 0)
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    sum += term;
  }
  return sum;
}

/** Smallest k with P(X <= k) >= q: the q quantile of Binomial(n, p). */
function binomialQuantile(q: number, n: number, p: number): number {
  for (let k = 0; k <= n; k++) if (binomialCdf(k, n, p) >= q) return k;
  return n;
}

const outcomes = (n: number, correct: number) => Array.from({ length: n }, (_, i) => i < correct);

describe('binaryAccuracyWithInterval (one MMVP-VLM pattern: 15 pairs, each right or wrong)', () => {
  it('is the percentile of Binomial(n, p) that the bootstrap resamples from, for every count of a 15-pair pattern', () => {
    // Resampling n outcomes with replacement draws a count ~ Binomial(n, k/n) exactly, so with
    // 10,000 resamples the 2.5% and 97.5% percentiles land on the binomial quantiles (in steps of
    // 100/15), except where a quantile level sits within sampling noise of a CDF step.
    let checked = 0;
    for (let correct = 0; correct <= 15; correct++) {
      const p = correct / 15;
      const result = binaryAccuracyWithInterval(outcomes(15, correct));
      expect(result.percent).toBeCloseTo((100 * correct) / 15, 12);
      expect([result.count, result.correct]).toEqual([15, correct]);
      expect(result.ci95[0]).toBeLessThanOrEqual(result.percent);
      expect(result.ci95[1]).toBeGreaterThanOrEqual(result.percent);
      const nearStep = (q: number) => [...Array(16).keys()].some((k) => Math.abs(binomialCdf(k, 15, p) - q) < 0.006);
      if (nearStep(0.025) || nearStep(0.975)) continue;
      expect(result.ci95[0]).toBeCloseTo((100 * binomialQuantile(0.025, 15, p)) / 15, 9);
      expect(result.ci95[1]).toBeCloseTo((100 * binomialQuantile(0.975, 15, p)) / 15, 9);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('gives 3 of 15 right (20%) the interval [0, 40] and is reproducible; another seed draws other resamples', () => {
    const result = binaryAccuracyWithInterval(outcomes(15, 3));
    expect(result.ci95).toEqual([0, 40]);
    expect(binaryAccuracyWithInterval(outcomes(15, 3))).toEqual(result);
    const large = outcomes(135, 40);
    expect(binaryAccuracyWithInterval(large, { seed: 1 })).toEqual(binaryAccuracyWithInterval(large, { seed: 1 }));
    expect(binaryAccuracyWithInterval(large, { seed: 1, resamples: 200 })).not.toEqual(binaryAccuracyWithInterval(large, { seed: 2, resamples: 200 }));
  });
});

describe('meanOfGroupsWithInterval (MMVP-VLM average over nine patterns)', () => {
  it('matches the normal approximation of a mean of nine independent binomial shares within 1 point', () => {
    // Var(mean) = (1/9^2) sum_g p_g (1 - p_g) / n_g, the closed form for a stratified sample
    const random = seededRandom(11);
    const shares = [0.1, 0.2, 0.3, 0.4, 0.5, 0.3, 0.2, 0.6, 0.1];
    const groups = shares.map((share) => Array.from({ length: 15 }, () => random() < share));
    const result = meanOfGroupsWithInterval(groups);
    const percents = groups.map((group) => group.filter(Boolean).length / 15);
    expect(result.mean).toBeCloseTo((100 * percents.reduce((a, b) => a + b, 0)) / 9, 12);
    const sd = (100 / 9) * Math.sqrt(percents.reduce((sum, p) => sum + (p * (1 - p)) / 15, 0));
    expect(Math.abs(result.ci95[0] - (result.mean - 1.96 * sd))).toBeLessThan(1);
    expect(Math.abs(result.ci95[1] - (result.mean + 1.96 * sd))).toBeLessThan(1);
    expect(meanOfGroupsWithInterval(groups)).toEqual(result);
  });

  it("over one group is that group's interval; all right or all wrong is a point; empty groups are refused", () => {
    const group = outcomes(15, 6);
    expect(meanOfGroupsWithInterval([group]).ci95).toEqual(binaryAccuracyWithInterval(group).ci95);
    expect(meanOfGroupsWithInterval([outcomes(15, 15), outcomes(15, 0)])).toEqual({ groups: 2, mean: 50, ci95: [50, 50] });
    expect(() => meanOfGroupsWithInterval([[], outcomes(3, 1)])).toThrow(/empty group/);
    expect(() => meanOfGroupsWithInterval([])).toThrow(/no groups/);
  });
});
