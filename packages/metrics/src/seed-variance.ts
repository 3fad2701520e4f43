import { InvalidArgumentError } from '@mmvp/core';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, bootstrapMeanPercent, type BootstrapOptions } from './bootstrap';
import { studentTQuantile } from './student-t';

/** Configuration b minus configuration a, each averaged over its training seeds, on the same pairs. */
export interface SeedAwareComparison {
  readonly pairs: number;
  readonly seedsA: number;
  readonly seedsB: number;
  /** Mean over b's seeds minus mean over a's seeds of pair accuracy, in points. */
  readonly difference: number;
  /** 95% pair bootstrap with the seeds held fixed (only the pairs are a sample). */
  readonly differenceCi95: readonly [number, number];
  /** 95% interval counting seeds and pairs as samples (variance components, Satterthwaite t); never narrower than differenceCi95. */
  readonly differenceCi95WithSeeds: readonly [number, number];
  /** Satterthwaite degrees of freedom of differenceCi95WithSeeds (infinite when no seed varies). */
  readonly degreesOfFreedom: number;
  /** Seed component of pair-accuracy variance (points^2) in a and b, per-pair answer noise removed; 0 with one seed. */
  readonly seedVarianceA: number;
  readonly seedVarianceB: number;
  /**
   * Seeds per configuration (both sides) at which differenceCi95WithSeeds would exclude 0 if the
   * difference and the variances stayed as observed; null when no number of seeds up to 1,000 is
   * enough at this many pairs (the pair variance alone already spans 0) or the difference is 0.
   */
  readonly seedsToResolve: number | null;
  /** True only when differenceCi95WithSeeds excludes 0. */
  readonly resolved: boolean;
}

const round = (value: number) => Math.round(value * 1e9) / 1e9;

/**
 * The seed component of one configuration (a one-way variance decomposition over seeds): per-seed
 * accuracy acc_s varies by the seed's effect (sd sigma) plus per-pair answer noise, and the noise
 * part, mean over pairs of the between-seed variance of that pair's outcome divided by the pairs, is
 * already in the pair resampling of the seed means. sigma^2 = (Var_s(acc_s) - noise / n) / (1 - 1 / n),
 * at least 0. Returns sigma^2 in points^2 and each seed's deviation from the mean, shrunk so that
 * their variance is sigma^2.
 */
function seedComponent(seeds: readonly ArrayLike<number>[], pairMeans: Float64Array): { variance: number } {
  const s = seeds.length;
  const n = pairMeans.length;
  if (s < 2) return { variance: 0 };
  const accuracies = seeds.map((seed) => {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += seed[k]!;
    return sum / n;
  });
  const mean = accuracies.reduce((sum, value) => sum + value, 0) / s;
  const between = accuracies.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (s - 1);
  let withinPair = 0;
  for (let k = 0; k < n; k++) {
    let squares = 0;
    for (const seed of seeds) squares += (seed[k]! - pairMeans[k]!) ** 2;
    withinPair += squares / (s - 1) / n;
  }
  const variance = n > 1 ? Math.max(0, (between - withinPair / n) / (1 - 1 / n)) : 0;
  return { variance: 1e4 * variance };
}

/**
 * Compares two configurations trained with several seeds on the same pairs, counting both sources of
 * variance. `a[s][k]` is 1 when seed s of configuration a got pair k right (0 otherwise; every seed
 * holds the same pairs in the same order). The difference d is the mean over pairs of the
 * seed-averaged per-pair difference. Its variance has two components: the pairs (V_pairs, the
 * variance of that mean over pairs, which also carries each pair's answer noise across seeds) and
 * each configuration's seed effect (sigma_a^2 / s_a + sigma_b^2 / s_b, seedComponent: the between-seed
 * variance of accuracy less the answer noise already in V_pairs). The interval is d +- t * sqrt(V)
 * with Satterthwaite's degrees of freedom (2 seeds per side give about 1-4, so t is 2.8-12, not
 * 1.96), widened if need be to contain the seeds-fixed pair bootstrap (seed 2024, 10,000 resamples).
 * A two-level bootstrap (seeds, then pairs) was simulated first: redrawing whole seeds counts the
 * answer noise twice (a true 0 covered 100%), redrawing seed effects under-covers at 3 seeds
 * (90-92%), because 3 seeds are too few for a percentile; docs/statistics.md has the numbers.
 *
 * @example
 * ```ts
 * import { compareAcrossSeeds } from '@mmvp/metrics';
 * const a = [[1, 0, 0, 1], [0, 0, 1, 1], [1, 0, 0, 0]];
 * const b = [[1, 1, 0, 1], [1, 0, 1, 1], [1, 1, 1, 0]];
 * compareAcrossSeeds(a, b).differenceCi95WithSeeds; // wider than differenceCi95
 * ```
 */
export function compareAcrossSeeds(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[], options: BootstrapOptions = {}): SeedAwareComparison {
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const seed = options.seed ?? BOOTSTRAP_SEED;
  if (a.length === 0 || b.length === 0) throw new InvalidArgumentError('a seed-aware comparison needs at least one seed in each configuration');
  const pairs = a[0]!.length;
  if (pairs === 0) throw new InvalidArgumentError('cannot compare two configurations on an empty set of pairs');
  for (const [name, seeds] of [
    ['a', a],
    ['b', b],
  ] as const) {
    for (const [index, outcome] of seeds.entries()) {
      if (outcome.length !== pairs) throw new InvalidArgumentError(`seed ${index + 1} of configuration ${name} holds ${outcome.length} pairs, seed 1 of a holds ${pairs}; seeds are compared on the same pairs`);
    }
  }
  const meanOver = (seeds: readonly ArrayLike<number>[]) => {
    const means = new Float64Array(pairs);
    for (const outcome of seeds) for (let k = 0; k < pairs; k++) means[k]! += outcome[k]! / seeds.length;
    return means;
  };
  const meanA = meanOver(a);
  const meanB = meanOver(b);
  const deltas = new Float64Array(pairs);
  for (let k = 0; k < pairs; k++) deltas[k] = meanB[k]! - meanA[k]!;
  const pairsOnly = bootstrapMeanPercent(deltas, { resamples, seed });

  const componentA = seedComponent(a, meanA);
  const componentB = seedComponent(b, meanB);
  let squares = 0;
  const d = pairsOnly.mean / 100;
  for (let k = 0; k < pairs; k++) squares += (deltas[k]! - d) ** 2;
  const pairVariance = pairs > 1 ? (1e4 * squares) / (pairs - 1) / pairs : 0; // points^2
  const varianceA = componentA.variance;
  const varianceB = componentB.variance;
  /** Half width of the 95% interval with `seedsA` and `seedsB` seeds, and its degrees of freedom. */
  const halfWidth = (seedsA: number, seedsB: number) => {
    const partA = seedsA > 1 ? varianceA / seedsA : 0;
    const partB = seedsB > 1 ? varianceB / seedsB : 0;
    const total = pairVariance + partA + partB;
    const denominator = (partA > 0 ? partA ** 2 / (seedsA - 1) : 0) + (partB > 0 ? partB ** 2 / (seedsB - 1) : 0) + (pairs > 1 ? pairVariance ** 2 / (pairs - 1) : 0);
    const degreesOfFreedom = denominator > 0 ? total ** 2 / denominator : Number.POSITIVE_INFINITY;
    return { half: studentTQuantile(0.975, degreesOfFreedom) * Math.sqrt(total), degreesOfFreedom };
  };
  const observed = halfWidth(a.length, b.length);
  const withSeeds: readonly [number, number] = [round(Math.min(pairsOnly.ci95[0], pairsOnly.mean - observed.half)), round(Math.max(pairsOnly.ci95[1], pairsOnly.mean + observed.half))];
  // the half width falls as seeds grow: bisect for the first count below |d|
  const resolvesWith = (seeds: number) => halfWidth(seeds, seeds).half < Math.abs(pairsOnly.mean);
  let seedsToResolve: number | null = null;
  if (pairsOnly.mean !== 0 && resolvesWith(1000)) {
    let low = 1; // does not resolve (or is not a seed count that estimates a seed variance)
    let high = 1000;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (resolvesWith(mid)) high = mid;
      else low = mid;
    }
    seedsToResolve = high;
  }
  return {
    pairs,
    seedsA: a.length,
    seedsB: b.length,
    difference: pairsOnly.mean,
    differenceCi95: pairsOnly.ci95,
    differenceCi95WithSeeds: withSeeds,
    degreesOfFreedom: observed.degreesOfFreedom,
    seedVarianceA: varianceA,
    seedVarianceB: varianceB,
    seedsToResolve,
    resolved: withSeeds[0] > 0 || withSeeds[1] < 0,
  };
}
