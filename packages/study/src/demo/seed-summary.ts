import { bootstrapMeanPercent, pairCorrectById, type BootstrapOptions, type GradedResult } from '@mmvp/metrics';
import { InvalidArgumentError } from '@mmvp/core';

type Interval = readonly [number, number];

/** One trained seed of a configuration, as the demo scored it. */
export interface SeedRun {
  /** The zoo folder, e.g. `llava-imof-seed2`. */
  readonly model: string;
  /** 1, 2 or 3 (seed 1 is the folder without a suffix). */
  readonly seed: number;
  readonly pairAccuracy: number;
  readonly pairAccuracyCi95: Interval;
  readonly instructionFollowing: number;
}

/** A configuration trained with several seeds: the spread over seeds and a bootstrap interval over pairs of the seed mean. */
export interface SeedSummary {
  /** The configuration's seed-1 folder name, e.g. `llava-clip`. */
  readonly configuration: string;
  readonly seeds: readonly SeedRun[];
  /** Mean over seeds of the pair accuracy (percent). */
  readonly mean: number;
  /** Sample standard deviation over seeds (n - 1); 0 with one seed. */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  /** 95% bootstrap interval over pairs of the seed-mean pair accuracy (seeds held fixed; the spread is seed noise). */
  readonly meanCi95: Interval;
  /** Mean over seeds of the caption-question accuracy (the instruction-following proxy). */
  readonly instructionFollowingMean: number;
}

/** Configuration b minus configuration a, each averaged over its seeds, paired over the same pairs. */
export interface SeedAveragedComparison {
  readonly a: string;
  readonly b: string;
  readonly seedsA: number;
  readonly seedsB: number;
  readonly pairs: number;
  /** Difference of the seed means (percent points). */
  readonly difference: number;
  readonly differenceCi95: Interval;
  /** True only when the interval excludes 0. */
  readonly resolved: boolean;
  readonly description: string;
}

/** Per pair (ids sorted), the fraction of the models that got the pair right: [P] in 0..1. Every model must hold the same pairs. */
export function seedMeanPerPair(models: readonly (readonly GradedResult[])[], what: string): { ids: number[]; values: Float64Array } {
  if (models.length === 0) throw new InvalidArgumentError(`${what}: no seeds to average`);
  const outcomes = models.map(pairCorrectById);
  const ids = [...outcomes[0]!.keys()].sort((x, y) => x - y);
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.size !== ids.length || ids.some((id) => !outcome.has(id))) throw new InvalidArgumentError(`${what}: seed ${index + 1} answered other pairs than seed 1; seeds are compared on the same pairs`);
  }
  const values = new Float64Array(ids.map((id) => outcomes.reduce((sum, outcome) => sum + Number(outcome.get(id)), 0) / outcomes.length));
  return { ids, values };
}

/** Mean, spread and a pair-bootstrap interval of one configuration's seeds. `runs[i]` pairs with `results[i]`. */
export function summarizeSeeds(configuration: string, runs: readonly SeedRun[], results: readonly (readonly GradedResult[])[], options: BootstrapOptions = {}): SeedSummary {
  const accuracies = runs.map((run) => run.pairAccuracy);
  const mean = accuracies.reduce((sum, value) => sum + value, 0) / accuracies.length;
  const sd = accuracies.length < 2 ? 0 : Math.sqrt(accuracies.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (accuracies.length - 1));
  const pooled = bootstrapMeanPercent(seedMeanPerPair(results, configuration).values, options);
  return {
    configuration,
    seeds: runs,
    mean,
    sd,
    min: Math.min(...accuracies),
    max: Math.max(...accuracies),
    meanCi95: pooled.ci95,
    instructionFollowingMean: runs.reduce((sum, run) => sum + run.instructionFollowing, 0) / runs.length,
  };
}

/**
 * Configuration b minus configuration a over the same pairs, each side the mean over its seeds: per
 * pair d_k = mean_seeds(b right on k) - mean_seeds(a right on k); the difference is mean(d) and its
 * interval the pair bootstrap of mean(d) (bootstrapMeanPercent, comparePairAccuracy's resampling). Seeds are held fixed (the pairs are what is resampled).
 */
export function compareSeedAveraged(
  a: { readonly name: string; readonly results: readonly (readonly GradedResult[])[] },
  b: { readonly name: string; readonly results: readonly (readonly GradedResult[])[] },
  description: string,
  options: BootstrapOptions = {},
): SeedAveragedComparison {
  const first = seedMeanPerPair(a.results, a.name);
  const second = seedMeanPerPair(b.results, b.name);
  if (first.ids.length !== second.ids.length || first.ids.some((id, k) => id !== second.ids[k]))
    throw new InvalidArgumentError(`${a.name} and ${b.name} answered different pairs; a paired comparison needs the same pairs`);
  const deltas = new Float64Array(first.values.map((value, k) => second.values[k]! - value));
  const { mean, ci95 } = bootstrapMeanPercent(deltas, options);
  return { a: a.name, b: b.name, seedsA: a.results.length, seedsB: b.results.length, pairs: deltas.length, difference: mean, differenceCi95: ci95, resolved: ci95[0] > 0 || ci95[1] < 0, description };
}
