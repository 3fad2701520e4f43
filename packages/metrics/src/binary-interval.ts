import { InvalidArgumentError } from '@mmvp/core';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, accuracyWithIntervals, seededRandom, type AccuracyIntervalOptions } from './bootstrap';
import { stratifiedWilsonInterval } from './clustered-interval';

/** A percent (0-100) with its 95% interval (Wilson by default). */
export interface PercentWithInterval {
  readonly count: number;
  readonly correct: number;
  readonly percent: number;
  readonly ci95: readonly [number, number];
}

/**
 * Percent of `true` outcomes with a 95% interval, where each outcome is one unit (an MMVP-VLM pair:
 * correct or not): the Wilson score interval by default, the percentile bootstrap with
 * `method: 'bootstrap'` (each outcome goes to accuracyWithIntervals as a pair of one question).
 */
export function binaryAccuracyWithInterval(outcomes: readonly boolean[], options: AccuracyIntervalOptions = {}): PercentWithInterval {
  const result = accuracyWithIntervals(
    outcomes.map((correct, index) => ({ questionId: index, pairId: index, correct })),
    options,
  );
  return { count: outcomes.length, correct: outcomes.filter(Boolean).length, percent: result.pairAccuracy, ci95: result.pairAccuracyCi95 };
}

/** The mean over groups of each group's percent, with a stratified 95% interval. */
export interface MeanOfGroupsWithInterval {
  readonly groups: number;
  readonly mean: number;
  readonly ci95: readonly [number, number];
}

/**
 * Mean over groups of the percent of `true` outcomes in each group (MMVP-VLM's "average" over the
 * nine patterns), with a 95% interval: by default the stratified Wilson interval
 * (stratifiedWilsonInterval: Wilson on the effective size of the stratified mean, never [0, 0] at
 * 0%); with `method: 'bootstrap'` the percentile bootstrap that resamples outcomes within each group
 * (every resample keeps each pattern's pair count, as the benchmark's design fixes it; seed 2024,
 * 10,000 resamples).
 */
export function meanOfGroupsWithInterval(groups: readonly (readonly boolean[])[], options: AccuracyIntervalOptions = {}): MeanOfGroupsWithInterval {
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const seed = options.seed ?? BOOTSTRAP_SEED;
  if (!Number.isInteger(resamples) || resamples < 1) throw new InvalidArgumentError(`bootstrap resamples must be a positive integer, got ${resamples}`);
  if (!Number.isInteger(seed)) throw new InvalidArgumentError(`bootstrap seed must be an integer, got ${seed}`);
  if (groups.length === 0 || groups.some((group) => group.length === 0)) {
    throw new InvalidArgumentError('cannot compute a mean over groups with an empty group (or no groups): there is no percent to bound');
  }
  const method = options.method ?? 'wilson';
  if (method !== 'wilson' && method !== 'bootstrap') throw new InvalidArgumentError(`interval method must be one of wilson, bootstrap; got ${String(method)}`);
  if (method === 'wilson') {
    const stratified = stratifiedWilsonInterval(groups.map((group) => [group.filter(Boolean).length, group.length]));
    return { groups: groups.length, mean: stratified.mean, ci95: stratified.ci95 };
  }
  const percents = groups.map((group) => (100 * group.filter(Boolean).length) / group.length);
  const mean = percents.reduce((sum, value) => sum + value, 0) / groups.length;
  const random = seededRandom(seed);
  const samples = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (const group of groups) {
      let correct = 0;
      for (let i = 0; i < group.length; i++) if (group[Math.floor(random() * group.length)]) correct++;
      sum += (100 * correct) / group.length;
    }
    samples[b] = sum / groups.length;
  }
  samples.sort();
  return { groups: groups.length, mean, ci95: [percentile(samples, 0.025), percentile(samples, 0.975)] };
}

/** The `q` quantile of sorted values, linear between order statistics (numpy's default, as bootstrap.ts), rounded to 1e-9. */
function percentile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const value = sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
  return Math.round(value * 1e9) / 1e9;
}
