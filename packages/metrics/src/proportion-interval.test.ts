import { describe, expect, it } from 'vitest';
import { accuracyWithIntervals } from './bootstrap';
import { clusteredWilsonInterval, stratifiedWilsonInterval } from './clustered-interval';
import type { GradedResult } from './pair-accuracy';
import { binomialCdf, clopperPearsonInterval, wilsonInterval } from './proportion-interval';

// Published values: Clopper-Pearson from R's binom.test / scipy.stats.binomtest(...).proportion_ci('exact'),
// Wilson from R's prop.test(correct = FALSE) / statsmodels proportion_confint(method='wilson'); the issue
// quotes 0/15 [0, 21.8] (CP) and [0, 20.4] (Wilson), 0/150 [0, 2.4] (CP).
describe('Clopper-Pearson and Wilson 95% intervals against published values', () => {
  it.each([
    [0, 15, [0, 21.8], [0, 20.39]],
    [15, 15, [78.2, 100], [79.61, 100]],
    [7, 15, [21.27, 73.41], [24.81, 69.88]],
    [0, 150, [0, 2.43], [0, 2.5]],
    [150, 150, [97.57, 100], [97.5, 100]],
  ])('%i of %i: exact %j, Wilson %j', (x, n, exact, wilson) => {
    const cp = clopperPearsonInterval(x, n);
    const ws = wilsonInterval(x, n);
    expect(Math.abs(cp[0] - exact[0]!)).toBeLessThan(0.06);
    expect(Math.abs(cp[1] - exact[1]!)).toBeLessThan(0.06);
    expect(Math.abs(ws[0] - wilson[0]!)).toBeLessThan(0.01);
    expect(Math.abs(ws[1] - wilson[1]!)).toBeLessThan(0.01);
  });

  it('Clopper-Pearson bounds are where the binomial tails are 2.5% (the definition, checked by the CDF)', () => {
    const [low, high] = clopperPearsonInterval(7, 15);
    expect(1 - binomialCdf(6, 15, low / 100)).toBeCloseTo(0.025, 6);
    expect(binomialCdf(7, 15, high / 100)).toBeCloseTo(0.025, 6);
    expect(1 - 0.025 ** (1 / 15)).toBeCloseTo(clopperPearsonInterval(0, 15)[1] / 100, 8); // closed form at 0
  });

  it('refuses counts outside [0, n] and an empty sample, naming the valid range', () => {
    expect(() => wilsonInterval(3, 0)).toThrow(/positive number of trials/);
    expect(() => wilsonInterval(16, 15)).toThrow(/\[0, 15\]/);
    expect(() => clopperPearsonInterval(1.5, 15)).toThrow(/whole counts/);
  });
});

/** n pairs with (first, second) question outcomes from `pattern(i)`. */
function pairs(n: number, pattern: (i: number) => [boolean, boolean]): GradedResult[] {
  return Array.from({ length: n }, (_, i) => {
    const [q1, q2] = pattern(i);
    return [
      { questionId: 2 * i + 1, pairId: i + 1, correct: q1 },
      { questionId: 2 * i + 2, pairId: i + 1, correct: q2 },
    ];
  }).flat();
}

describe('accuracyWithIntervals (default: Wilson)', () => {
  it('150 pairs all wrong: pair interval [0, 2.5]; all right: [97.5, 100] (the issue proof, never [0, 0])', () => {
    const wrong = accuracyWithIntervals(pairs(150, () => [false, false]));
    expect(wrong.pairAccuracyCi95[0]).toBe(0);
    expect(wrong.pairAccuracyCi95[1]).toBeGreaterThanOrEqual(2.4);
    expect(wrong.pairAccuracyCi95[1]).toBeLessThanOrEqual(2.5);
    const right = accuracyWithIntervals(pairs(150, () => [true, true]));
    expect(right.pairAccuracyCi95[0]).toBeGreaterThanOrEqual(97.5);
    expect(right.pairAccuracyCi95[0]).toBeLessThanOrEqual(97.6);
    expect(right.pairAccuracyCi95[1]).toBe(100);
    // questions: 0 of 300 with no variance to measure counts each pair once (conservative): Wilson 0 of 150
    expect(wrong.questionAccuracyCi95).toEqual(wilsonInterval(0, 150));
  });

  it('question interval: identical answers within a pair count as one unit, independent answers as two', () => {
    const same = clusteredWilsonInterval(Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? [2, 2] : [0, 2])));
    expect(same.designEffect).toBeCloseTo(2, 2); // n/(n-1) pushes it a hair above 2; clamped
    expect(same.ci95).toEqual(wilsonInterval(200, 400));
    // answers drawn independently: design effect near 1, interval near Wilson over 800 questions
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const independent = clusteredWilsonInterval(Array.from({ length: 2000 }, () => [Number(random() < 0.4) + Number(random() < 0.4), 2]));
    expect(independent.designEffect).toBeLessThan(1.1);
    // one right in every pair (a model that always answers "a"): negative correlation, clamped to 1
    expect(clusteredWilsonInterval(Array.from({ length: 50 }, () => [1, 2])).designEffect).toBe(1);
  });

  it('stratified mean: equal groups with equal rates give Wilson over the total; 0% everywhere is Wilson 0 of the total', () => {
    const equal = stratifiedWilsonInterval(Array.from({ length: 9 }, () => [5, 15]));
    expect(equal.mean).toBeCloseTo(100 / 3, 9);
    expect(equal.ci95[0]).toBeCloseTo(wilsonInterval(45, 135)[0], 6);
    expect(equal.ci95[1]).toBeCloseTo(wilsonInterval(45, 135)[1], 6);
    expect(stratifiedWilsonInterval(Array.from({ length: 9 }, () => [0, 15])).ci95).toEqual(wilsonInterval(0, 135));
    expect(() => stratifiedWilsonInterval([[1, 0]])).toThrow(/empty group/);
  });
});
