import { seededRandom } from '@mmvp/core';
import { describe, expect, it } from 'vitest';
import { mcnemarExact } from './bootstrap';
import { normalCdf, normalQuantile } from './normal-distribution';
import { minimumDetectableDifference, pairedTestPower, pairsNeeded, resolvableDifference } from './power';

/**
 * Power by simulation: `runs` studies of `pairs` pairs, each pair discordant with probability psi
 * and, when discordant, favouring b with probability (psi + delta) / (2 psi); the share of studies in
 * which McNemar's test rejects at two-sided 5% (the asymptotic z test Connor's formula is for, or
 * the exact binomial test this package prints).
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

describe('McNemar power (Connor 1987)', () => {
  it("gives the issue's figures: 150 pairs at 20% discordant resolve about 10 points; +3.3 needs about 1,440 pairs", () => {
    expect(minimumDetectableDifference(150, { discordant: 0.2 })).toBeCloseTo(10.15, 1);
    expect(pairsNeeded(3.3, { discordant: 0.2 })).toBe(1440);
    // the two functions invert each other
    expect(minimumDetectableDifference(1440, { discordant: 0.2 })!).toBeLessThanOrEqual(3.3);
    expect(minimumDetectableDifference(1439, { discordant: 0.2 })!).toBeGreaterThan(3.3);
    expect(pairedTestPower(1440, 3.3, { discordant: 0.2 })).toBeCloseTo(0.8, 2);
  });

  it.each([
    [1440, 3.3, 0.2],
    [pairsNeeded(5, { discordant: 0.3 }), 5, 0.3],
    [pairsNeeded(2, { discordant: 0.1 }), 2, 0.1],
  ])('at %i pairs, %f points, %f discordant: 10,000 simulated studies reject in 80%% within 2 points', (pairs, difference, discordant) => {
    expect(Math.abs(pairedTestPower(pairs, difference, { discordant }) - 0.8)).toBeLessThan(0.01);
    const simulated = simulatedPower(pairs, difference, discordant, 10_000, 'asymptotic');
    expect(Math.abs(simulated - 0.8)).toBeLessThan(0.02);
  });

  it('at 150 pairs (about 30 discordant) the formula is 2-3 points conservative: 82-83% simulated at its 10.1-point minimum', () => {
    // stated in docs/statistics.md: at MMVP's size the true power of the z test is a little above 80%
    const simulated = simulatedPower(150, minimumDetectableDifference(150, { discordant: 0.2 })!, 0.2, 10_000, 'asymptotic');
    expect(simulated).toBeGreaterThan(0.8);
    expect(simulated).toBeLessThan(0.83);
  });

  it('the exact McNemar test (what comparisons print) is a little more conservative than the formula', () => {
    const exact = simulatedPower(150, 10.15, 0.2, 4000, 'exact');
    expect(exact).toBeLessThan(0.8);
    expect(exact).toBeGreaterThan(0.7);
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
