import { seededRandom } from '@mmvp/core';
import { describe, expect, it } from 'vitest';
import { compareAcrossSeeds } from './seed-variance';

/**
 * One configuration trained with `seeds` seeds: pair k is right with probability ease[k] + shift_s,
 * shift_s ~ N(0, seedSd) per seed (a seed that trained better is better on every pair).
 */
function configuration(random: () => number, ease: Float64Array, seeds: number, seedSd: number): Float64Array[] {
  return Array.from({ length: seeds }, () => {
    const u = Math.max(1e-12, random());
    const shift = seedSd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Float64Array.from(ease, (p) => Number(random() < Math.min(1, Math.max(0, p + shift))));
  });
}

describe('compareAcrossSeeds (variance components: seeds and pairs, Satterthwaite t)', () => {
  it('with seed noise, the pairs-only interval under-covers a true difference of 0 and the two-level interval does not', () => {
    // both configurations come from the same process (true difference 0); seeds move accuracy by sd 4 points
    const random = seededRandom(5);
    let pairsOnly = 0;
    let withSeeds = 0;
    const studies = 200; // 500 in the docs
    for (let study = 0; study < studies; study++) {
      const ease = Float64Array.from({ length: 200 }, () => random());
      const result = compareAcrossSeeds(configuration(random, ease, 3, 0.04), configuration(random, ease, 3, 0.04), { resamples: 400, seed: study + 1 });
      if (result.differenceCi95[0] <= 0 && result.differenceCi95[1] >= 0) pairsOnly++;
      if (result.differenceCi95WithSeeds[0] <= 0 && result.differenceCi95WithSeeds[1] >= 0) withSeeds++;
    }
    expect(pairsOnly / studies).toBeLessThan(0.82); // 76.8% over 500 studies (docs/statistics.md)
    expect(withSeeds / studies).toBeGreaterThan(0.9); // 93.2% over 500 studies
  });

  it('is wider than the seeds-fixed interval, contains the difference, and uses the t of few seeds', () => {
    const random = seededRandom(9);
    const ease = Float64Array.from({ length: 900 }, () => random());
    const a = configuration(random, ease, 3, 0.03);
    const b = configuration(
      random,
      ease.map((p) => p + 0.03),
      3,
      0.03,
    );
    const result = compareAcrossSeeds(a, b, { resamples: 3000 });
    const [low, high] = result.differenceCi95WithSeeds;
    expect(low).toBeLessThan(result.differenceCi95[0]);
    expect(high).toBeGreaterThan(result.differenceCi95[1]);
    expect(low).toBeLessThanOrEqual(result.difference);
    expect(high).toBeGreaterThanOrEqual(result.difference);
    expect(result.resolved).toBe(low > 0 || high < 0);
    // the seed component is real here (sd 3 points per seed): a few degrees of freedom, not a normal
    expect(result.seedVarianceA + result.seedVarianceB).toBeGreaterThan(1);
    expect(result.degreesOfFreedom).toBeLessThan(30);
    expect(compareAcrossSeeds(a, b, { resamples: 3000 })).toEqual(result);
  });

  it('seedsToResolve: more seeds for a real difference hidden by seed noise; none when the pairs alone cannot resolve it', () => {
    const random = seededRandom(3);
    const ease = Float64Array.from({ length: 900 }, () => random());
    const result = compareAcrossSeeds(
      configuration(random, ease, 3, 0.03),
      configuration(
        random,
        ease.map((p) => p + 0.03),
        3,
        0.03,
      ),
      { resamples: 3000 },
    );
    if (!result.resolved) expect(result.seedsToResolve).toBeGreaterThan(3);
    else expect(result.seedsToResolve).toBeLessThanOrEqual(3);
    // 30 pairs and a 1-point difference: the pair variance alone spans 0, no seed count helps
    const few = Float64Array.from({ length: 30 }, () => random());
    const tiny = compareAcrossSeeds(configuration(random, few, 3, 0.03), configuration(random, few, 3, 0.03), { resamples: 500 });
    if (Math.abs(tiny.difference) < 5) expect(tiny.seedsToResolve).toBeNull();
    // one seed each: no seed variance, the seeds-fixed interval is the answer
    const single = compareAcrossSeeds([Float64Array.from(ease, (p) => Number(p > 0.5))], [Float64Array.from(ease, (p) => Number(p > 0.45))]);
    expect(single.seedVarianceA + single.seedVarianceB).toBe(0);
    expect(single.differenceCi95WithSeeds[0]).toBeLessThanOrEqual(single.differenceCi95[0]);
    expect(single.differenceCi95WithSeeds[1] - single.differenceCi95WithSeeds[0]).toBeLessThan(single.differenceCi95[1] - single.differenceCi95[0] + 0.5);
  });

  it('refuses seeds that hold other pairs, naming the seed and configuration', () => {
    expect(() => compareAcrossSeeds([[1, 0]], [[1, 0], [1]])).toThrow(/seed 2 of configuration b holds 1 pairs/);
    expect(() => compareAcrossSeeds([], [[1]])).toThrow(/at least one seed/);
  });
});
