import { bootstrapMeanPercent, compareAcrossSeeds, pairCorrectById, resolvableDifference, type BootstrapOptions, type GradedResult } from '@mmvp/metrics';
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
  /** 95% pair bootstrap with the seeds held fixed (only the pairs are a sample). */
  readonly differenceCi95: Interval;
  /** 95% interval counting the seeds as a sample too (compareAcrossSeeds of @mmvp/metrics): what `resolved` rests on. */
  readonly differenceCi95WithSeeds: Interval;
  /** Seeds per configuration that would resolve this difference if it and the variances held; null: no count up to 1,000 does at this many pairs. */
  readonly seedsToResolve: number | null;
  /** Smallest difference (points) these pairs resolve at 80% power, from the discordance of seed 1 of each side; null with none discordant. */
  readonly minimumDetectableDifference: number | null;
  /** True only when differenceCi95WithSeeds excludes 0. */
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

/** Each seed's pair outcomes (1 right, 0 wrong) in the order of `ids`. */
function outcomesInOrder(models: readonly (readonly GradedResult[])[], ids: readonly number[]): Float64Array[] {
  return models.map((results) => {
    const byId = pairCorrectById(results);
    return Float64Array.from(ids, (id) => Number(byId.get(id)));
  });
}

/**
 * Configuration b minus configuration a over the same pairs, each side the mean over its seeds: per
 * pair d_k = mean_seeds(b right on k) - mean_seeds(a right on k); the difference is mean(d).
 * `differenceCi95` is the pair bootstrap of mean(d) with the seeds held fixed (bootstrapMeanPercent);
 * `differenceCi95WithSeeds` (compareAcrossSeeds of @mmvp/metrics) counts the seeds as a sample too,
 * and `resolved` rests on it.
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
  const seeds = compareAcrossSeeds(outcomesInOrder(a.results, first.ids), outcomesInOrder(b.results, first.ids), options);
  const [seedA, seedB] = [outcomesInOrder(a.results.slice(0, 1), first.ids)[0]!, outcomesInOrder(b.results.slice(0, 1), first.ids)[0]!];
  const discordant = seedA.reduce((count, right, k) => count + Number(right !== seedB[k]), 0);
  return {
    a: a.name,
    b: b.name,
    seedsA: a.results.length,
    seedsB: b.results.length,
    pairs: seeds.pairs,
    difference: seeds.difference,
    differenceCi95: seeds.differenceCi95,
    differenceCi95WithSeeds: seeds.differenceCi95WithSeeds,
    seedsToResolve: seeds.seedsToResolve,
    minimumDetectableDifference: resolvableDifference(seeds.pairs, discordant),
    resolved: seeds.resolved,
    description,
  };
}
