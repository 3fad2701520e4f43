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

/** The percentile bootstrap (the default before Wilson). */
const BOOTSTRAP = { method: 'bootstrap' } as const;

const outcomes = (n: number, correct: number) => Array.from({ length: n }, (_, i) => i < correct);

describe('binaryAccuracyWithInterval (one MMVP-VLM pattern: 15 pairs, each right or wrong)', () => {
  it('is the percentile of Binomial(n, p) that the bootstrap resamples from, for every count of a 15-pair pattern', () => {
    // Resampling n outcomes with replacement draws a count ~ Binomial(n, k/n) exactly, so with
    // 10,000 resamples the 2.5% and 97.5% percentiles land on the binomial quantiles (in steps of
    // 100/15), except where a quantile level sits within sampling noise of a CDF step.
    let checked = 0;
    for (let correct = 0; correct <= 15; correct++) {
      const p = correct / 15;
      const result = binaryAccuracyWithInterval(outcomes(15, correct), BOOTSTRAP);
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
    const result = binaryAccuracyWithInterval(outcomes(15, 3), BOOTSTRAP);
    expect(result.ci95).toEqual([0, 40]);
    expect(binaryAccuracyWithInterval(outcomes(15, 3), BOOTSTRAP)).toEqual(result);
    const large = outcomes(135, 40);
    expect(binaryAccuracyWithInterval(large, { ...BOOTSTRAP, seed: 1 })).toEqual(binaryAccuracyWithInterval(large, { ...BOOTSTRAP, seed: 1 }));
    expect(binaryAccuracyWithInterval(large, { ...BOOTSTRAP, seed: 1, resamples: 200 })).not.toEqual(binaryAccuracyWithInterval(large, { ...BOOTSTRAP, seed: 2, resamples: 200 }));
  });

  it('by default is the Wilson interval: 0 of 15 is [0, 20.4], 3 of 15 [7.0, 45.2] (published Wilson values)', () => {
    expect(binaryAccuracyWithInterval(outcomes(15, 0)).ci95[1]).toBeCloseTo(20.39, 2);
    const three = binaryAccuracyWithInterval(outcomes(15, 3)).ci95;
    expect(three[0]).toBeCloseTo(7.05, 1);
    expect(three[1]).toBeCloseTo(45.19, 1);
  });
});

describe('meanOfGroupsWithInterval (MMVP-VLM average over nine patterns)', () => {
  it('matches the normal approximation of a mean of nine independent binomial shares within 1 point', () => {
    // Var(mean) = (1/9^2) sum_g p_g (1 - p_g) / n_g, the closed form for a stratified sample
    const random = seededRandom(11);
    const shares = [0.1, 0.2, 0.3, 0.4, 0.5, 0.3, 0.2, 0.6, 0.1];
    const groups = shares.map((share) => Array.from({ length: 15 }, () => random() < share));
    const result = meanOfGroupsWithInterval(groups, BOOTSTRAP);
    const percents = groups.map((group) => group.filter(Boolean).length / 15);
    expect(result.mean).toBeCloseTo((100 * percents.reduce((a, b) => a + b, 0)) / 9, 12);
    const sd = (100 / 9) * Math.sqrt(percents.reduce((sum, p) => sum + (p * (1 - p)) / 15, 0));
    expect(Math.abs(result.ci95[0] - (result.mean - 1.96 * sd))).toBeLessThan(1);
    expect(Math.abs(result.ci95[1] - (result.mean + 1.96 * sd))).toBeLessThan(1);
    expect(meanOfGroupsWithInterval(groups, BOOTSTRAP)).toEqual(result);
    // the default (stratified Wilson) has the same width within 0.5 points, shifted toward 50% (Wilson's centre)
    const wilson = meanOfGroupsWithInterval(groups);
    expect(Math.abs(wilson.ci95[1] - wilson.ci95[0] - 2 * 1.96 * sd)).toBeLessThan(0.5);
    expect(wilson.ci95[0]).toBeGreaterThan(result.mean - 1.96 * sd);
  });

  it("over one group is that group's interval; the bootstrap of all right / all wrong is a point, Wilson's is not; empty groups are refused", () => {
    const group = outcomes(15, 6);
    expect(meanOfGroupsWithInterval([group], BOOTSTRAP).ci95).toEqual(binaryAccuracyWithInterval(group, BOOTSTRAP).ci95);
    expect(meanOfGroupsWithInterval([group]).ci95).toEqual(binaryAccuracyWithInterval(group).ci95);
    expect(meanOfGroupsWithInterval([outcomes(15, 15), outcomes(15, 0)], BOOTSTRAP)).toEqual({ groups: 2, mean: 50, ci95: [50, 50] });
    // Wilson never collapses: nine patterns all wrong (0 of 135) is [0, 2.8], Wilson's 0 of 135
    const none = meanOfGroupsWithInterval(Array.from({ length: 9 }, () => outcomes(15, 0)));
    expect(none.ci95[0]).toBe(0);
    expect(none.ci95[1]).toBeCloseTo((100 * 1.96 ** 2) / (135 + 1.96 ** 2), 1);
    expect(() => meanOfGroupsWithInterval([[], outcomes(3, 1)])).toThrow(/empty group/);
    expect(() => meanOfGroupsWithInterval([])).toThrow(/no groups/);
  });
});
