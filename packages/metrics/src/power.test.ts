import { seededRandom } from '@mmvp/core';
import { describe, expect, it } from 'vitest';
import { mcnemarExact } from './bootstrap';
import { normalCdf, normalQuantile } from './normal-distribution';
import { binomialCdf, mcnemarCriticalCount } from './exact-paired-power';
import { connorMinimumDetectableDifference, connorPairedTestPower, connorPairsNeeded, minimumDetectableDifference, pairedTestPower, pairsNeeded, resolvableDifference } from './power';

/**
 * Power by simulation: `runs` studies of `pairs` pairs, each pair discordant with probability psi
 * and, when discordant, favouring b with probability (psi + delta) / (2 psi); the share of studies in
 * which McNemar's test rejects at two-sided 5% (the asymptotic z test Connor's formula is for, or
 * the exact binomial test this package prints and its power functions compute).
 */
function simulatedPower(pairs: number, differencePoints: number, discordant: number, runs: number, test: 'asymptotic' | 'exact'): number {
  const random = seededRandom(2026);
  const delta = differencePoints / 100;
  const onlyAShare = (discordant - delta) / 2;
  let rejected = 0;
  for (let run = 0; run < runs; run++) {
    let onlyA = 0;
    let onlyB = 0;
    for (let i = 0; i < pairs; i++) {
      const u = random();
      if (u < onlyAShare) onlyA++;
      else if (u < discordant) onlyB++;
    }
    if (test === 'asymptotic') {
      if (onlyA + onlyB > 0 && Math.abs(onlyB - onlyA) / Math.sqrt(onlyA + onlyB) > 1.959964) rejected++;
    } else if (mcnemarExact(onlyA, onlyB) < 0.05) rejected++;
  }
  return rejected / runs;
}

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
  });
});

describe('McNemar power: Connor (1987) approximation', () => {
  it("gives the issue's figures: 150 pairs at 20% discordant resolve about 10 points; +3.3 needs about 1,440 pairs", () => {
    expect(connorMinimumDetectableDifference(150, { discordant: 0.2 })).toBeCloseTo(10.15, 1);
    expect(connorPairsNeeded(3.3, { discordant: 0.2 })).toBe(1440);
    // the two functions invert each other
    expect(connorMinimumDetectableDifference(1440, { discordant: 0.2 })!).toBeLessThanOrEqual(3.3);
    expect(connorMinimumDetectableDifference(1439, { discordant: 0.2 })!).toBeGreaterThan(3.3);
    expect(connorPairedTestPower(1440, 3.3, { discordant: 0.2 })).toBeCloseTo(0.8, 2);
  });

  it('at 150 pairs (about 30 discordant) the z test it is derived for has 82-83% simulated power at its 10.1-point minimum', () => {
    // why the package's functions use the exact power below: Connor is 2-3 points off at MMVP's size
    const simulated = simulatedPower(150, connorMinimumDetectableDifference(150, { discordant: 0.2 })!, 0.2, 10_000, 'asymptotic');
    expect(simulated).toBeGreaterThan(0.8);
    expect(simulated).toBeLessThan(0.83);
  });
});

describe('McNemar power: exact (the test comparisons print)', () => {
  it('binomialCdf and the critical count agree with mcnemarExact for every split of 1-200 discordant pairs', () => {
    for (let d = 1; d <= 200; d++) {
      const critical = mcnemarCriticalCount(d, 0.05);
      for (let k = 0; k <= d / 2; k++) expect(mcnemarExact(k, d - k) < 0.05, `d=${d} k=${k}`).toBe(k <= critical);
      // summing from either side of the mode gives the same tail
      expect(binomialCdf(Math.floor(d / 3), d, 0.3)).toBeCloseTo(1 - (1 - binomialCdf(Math.floor(d / 3), d, 0.3)), 12);
    }
    expect(binomialCdf(1, 10, 0.5)).toBeCloseTo(11 / 1024, 15);
    expect(binomialCdf(7, 10, 0.5)).toBeCloseTo(1 - 56 / 1024, 15);
  });

  it('matches a hand-computed case: 10 pairs all discordant, 50 points (onlyB ~ Binomial(10, 0.75), reject at onlyB <= 1 or >= 9)', () => {
    const q = 0.75;
    const expected = (1 - q) ** 10 + 10 * q * (1 - q) ** 9 + 10 * q ** 9 * (1 - q) + q ** 10;
    expect(pairedTestPower(10, 50, { discordant: 1 })).toBeCloseTo(expected, 12);
    // no difference: the power is the test's size, at most 5% (the exact test is conservative)
    expect(pairedTestPower(150, 0, { discordant: 0.2 })).toBeLessThan(0.05);
  });

  it('gives the figures mmvp power prints: 150 pairs at 20% discordant resolve 10.6 points; +3.3 needs 1,492 pairs', () => {
    expect(minimumDetectableDifference(150, { discordant: 0.2 })).toBeCloseTo(10.58, 1);
    expect(pairsNeeded(3.3, { discordant: 0.2 })).toBe(1492);
    // pairsNeeded is the smallest n reaching 80%, and the two functions invert each other
    expect(pairedTestPower(1492, 3.3, { discordant: 0.2 })).toBeGreaterThanOrEqual(0.8);
    expect(pairedTestPower(1491, 3.3, { discordant: 0.2 })).toBeLessThan(0.8);
    expect(minimumDetectableDifference(1492, { discordant: 0.2 })!).toBeLessThanOrEqual(3.3);
    expect(minimumDetectableDifference(1491, { discordant: 0.2 })!).toBeGreaterThan(3.3);
  });

  it.each([
    [150, 10.58, 0.2],
    [15, 0, 1],
    [135, 0, 0.3],
    [1492, 3.3, 0.2],
    [pairsNeeded(5, { discordant: 0.3 }), 5, 0.3],
    [pairsNeeded(2, { discordant: 0.1 }), 2, 0.1],
  ])('at %i pairs, %f points, %f discordant: 10,000 simulated studies of the exact test reject within 2 points of the computed power', (pairs, difference, discordant) => {
    // 0 points stands for this size's own minimum detectable difference
    const points = difference > 0 ? difference : minimumDetectableDifference(pairs, { discordant })!;
    const computed = pairedTestPower(pairs, points, { discordant });
    expect(Math.abs(computed - 0.8)).toBeLessThan(0.02); // each case sits at (about) 80% power
    const simulated = simulatedPower(pairs, points, discordant, 10_000, 'exact');
    expect(Math.abs(simulated - computed)).toBeLessThan(0.02);
  });

  it('resolvableDifference uses the observed discordance; none discordant is unknown; bad settings name the valid range', () => {
    expect(resolvableDifference(150, 30)).toBeCloseTo(minimumDetectableDifference(150, { discordant: 0.2 })!, 9);
    expect(resolvableDifference(150, 0)).toBeNull();
    expect(resolvableDifference(60, 1)).toBeNull(); // one discordant pair: no difference reaches 80% power
    expect(() => pairsNeeded(3, { discordant: 0 })).toThrow(/\(0, 1\]/);
    expect(() => pairsNeeded(30, { discordant: 0.2 })).toThrow(/at most the discordant share/);
    expect(() => minimumDetectableDifference(150, { discordant: 0.2, power: 1 })).toThrow(/power must lie in \(0, 1\)/);
  });
});

describe("Student's t quantile (for the seed-aware interval)", () => {
  it('matches tabulated 97.5% quantiles', async () => {
    const { studentTQuantile } = await import('./student-t');
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.3027, 3);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764, 3);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0423, 3);
    expect(studentTQuantile(0.975, Number.POSITIVE_INFINITY)).toBeCloseTo(1.96, 3);
  });
});
