import { InvalidArgumentError, seededRandom } from '@mmvp/core';
import { clusteredWilsonInterval } from './clustered-interval';
import type { GradedResult } from './pair-accuracy';
import { resolvableDifference } from './power';
import { wilsonInterval } from './proportion-interval';

/** Fixed defaults so the same answers always print the same interval. */
export const BOOTSTRAP_SEED = 2024;
/** Default number of bootstrap resamples for the 95% intervals. */
export const BOOTSTRAP_RESAMPLES = 10_000;

/** Resample count and seed of a bootstrap interval (the same seed gives the same interval). */
export interface BootstrapOptions {
  /** Resamples drawn (default 10,000). */
  readonly resamples?: number;
  /** Seed of the resampling generator (default 2024). */
  readonly seed?: number;
}

/** Which 95% interval a proportion gets: Wilson (the default, holds at small n) or the percentile bootstrap over pairs. */
export type ProportionIntervalMethod = 'wilson' | 'bootstrap';

/** Options of accuracyWithIntervals: the interval method, and the bootstrap's resamples and seed when it is used. */
export interface AccuracyIntervalOptions extends BootstrapOptions {
  /** `wilson` (default): Wilson for pairs, Wilson on the design-effect sample size for questions; `bootstrap`: percentile bootstrap over pairs (before 2026-12). */
  readonly method?: ProportionIntervalMethod;
}

/** A percent estimate with its 95% interval, both in percent (0-100). */
export interface AccuracyWithIntervals {
  readonly pairs: number;
  readonly pairAccuracy: number;
  readonly pairAccuracyCi95: readonly [number, number];
  readonly questions: number;
  readonly questionAccuracy: number;
  readonly questionAccuracyCi95: readonly [number, number];
}

/** One pair's outcome: how many of its questions were right (0, 1 or 2) and whether the pair counts. */
interface PairOutcome {
  readonly correctQuestions: number;
  readonly questions: number;
  readonly pairCorrect: boolean;
}

/** The resampling generator: @mmvp/core's seeded mulberry32, so intervals repeat across runs and machines. */
export { seededRandom };

/** Groups graded questions by pair (pairs stay whole when resampled). */
function outcomesByPair(results: readonly GradedResult[]): PairOutcome[] {
  const byPair = new Map<number, GradedResult[]>();
  for (const result of results) {
    const list = byPair.get(result.pairId);
    if (list === undefined) byPair.set(result.pairId, [result]);
    else list.push(result);
  }
  return [...byPair.values()].map((list) => ({
    correctQuestions: list.filter((result) => result.correct).length,
    questions: list.length,
    pairCorrect: list.every((result) => result.correct),
  }));
}

/** The `q` quantile (0..1) of sorted values, linear between order statistics (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

function checkOptions(options: BootstrapOptions): { resamples: number; seed: number } {
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const seed = options.seed ?? BOOTSTRAP_SEED;
  if (!Number.isInteger(resamples) || resamples < 1) throw new InvalidArgumentError(`bootstrap resamples must be a positive integer, got ${resamples}`);
  if (!Number.isInteger(seed)) throw new InvalidArgumentError(`bootstrap seed must be an integer, got ${seed}`);
  return { resamples, seed };
}

/** [2.5%, 97.5%] percentiles of the resampled statistic, rounded to 1e-9 so printing is stable. */
function interval(samples: Float64Array): readonly [number, number] {
  samples.sort();
  const round = (value: number) => Math.round(value * 1e9) / 1e9;
  return [round(quantile(samples, 0.025)), round(quantile(samples, 0.975))];
}

/**
 * Pair and question accuracy with 95% intervals that hold at small n. By default (`method:
 * 'wilson'`): pair accuracy gets the Wilson score interval over pairs (0 of 150 pairs gives
 * [0, 2.5], never [0, 0]); question accuracy the Wilson interval on the effective sample size
 * questions / design effect, the design effect measuring how alike the two answers of a pair are
 * (clusteredWilsonInterval). `method: 'bootstrap'` gives the percentile bootstrap over pairs
 * (each resample draws as many pairs as there are, both questions of a drawn pair together; seed
 * 2024, 10,000 resamples), which collapses to [0, 0] at 0 of n. An empty set is an error.
 */
export function accuracyWithIntervals(results: readonly GradedResult[], options: AccuracyIntervalOptions = {}): AccuracyWithIntervals {
  const { resamples, seed } = checkOptions(options);
  const method = options.method ?? 'wilson';
  if (method !== 'wilson' && method !== 'bootstrap') throw new InvalidArgumentError(`interval method must be one of wilson, bootstrap; got ${String(method)}`);
  const pairs = outcomesByPair(results);
  if (pairs.length === 0) throw new InvalidArgumentError('cannot compute an accuracy interval over an empty set of answers (no graded pairs)');
  if (method === 'wilson') {
    const correctPairs = pairs.filter((pair) => pair.pairCorrect).length;
    const questions = clusteredWilsonInterval(pairs.map((pair) => [pair.correctQuestions, pair.questions]));
    return {
      pairs: pairs.length,
      pairAccuracy: (100 * correctPairs) / pairs.length,
      pairAccuracyCi95: wilsonInterval(correctPairs, pairs.length),
      questions: pairs.reduce((sum, pair) => sum + pair.questions, 0),
      questionAccuracy: questions.percent,
      questionAccuracyCi95: questions.ci95,
    };
  }
  const random = seededRandom(seed);
  const pairSamples = new Float64Array(resamples);
  const questionSamples = new Float64Array(resamples);
  const n = pairs.length;
  for (let b = 0; b < resamples; b++) {
    let correctPairs = 0;
    let correctQuestions = 0;
    let questions = 0;
    for (let i = 0; i < n; i++) {
      const pair = pairs[Math.floor(random() * n)]!;
      if (pair.pairCorrect) correctPairs++;
      correctQuestions += pair.correctQuestions;
      questions += pair.questions;
    }
    pairSamples[b] = (100 * correctPairs) / n;
    questionSamples[b] = (100 * correctQuestions) / questions;
  }
  const totalQuestions = pairs.reduce((sum, pair) => sum + pair.questions, 0);
  return {
    pairs: n,
    pairAccuracy: (100 * pairs.filter((pair) => pair.pairCorrect).length) / n,
    pairAccuracyCi95: interval(pairSamples),
    questions: totalQuestions,
    questionAccuracy: (100 * pairs.reduce((sum, pair) => sum + pair.correctQuestions, 0)) / totalQuestions,
    questionAccuracyCi95: interval(questionSamples),
  };
}

/** Two models' paired comparison on the same pairs (b minus a), in percentage points. */
export interface PairedComparison {
  readonly pairs: number;
  /** Pair accuracy of b minus pair accuracy of a, in points. */
  readonly difference: number;
  readonly differenceCi95: readonly [number, number];
  /** Pairs only a got right, and only b got right (McNemar's discordant counts). */
  readonly onlyA: number;
  readonly onlyB: number;
  /** Exact two-sided McNemar p-value over pairs (binomial test on the discordant pairs). */
  readonly mcnemarP: number;
  /** True only when the interval excludes 0: the one case in which a difference is claimed. */
  readonly resolved: boolean;
  /**
   * The smallest difference (points) these pairs resolve with 80% power at two-sided 5%, from the
   * observed discordance (onlyA + onlyB) / pairs (the exact McNemar test's power); null with no discordant pair.
   */
  readonly minimumDetectableDifference: number | null;
  /** Holm-adjusted McNemar p-value when the comparison is one of a family (holmAdjustComparisons); absent alone. */
  readonly mcnemarPHolm?: number;
}

/** Pair id -> whether the pair counts (every one of its questions right), in first-seen order. */
export function pairCorrectById(results: readonly GradedResult[]): Map<number, boolean> {
  const byPair = new Map<number, boolean>();
  for (const result of results) byPair.set(result.pairId, (byPair.get(result.pairId) ?? true) && result.correct);
  return byPair;
}

/**
 * The mean of per-unit values (e.g. per-pair differences in [-1, 1]) in percent, with a 95%
 * percentile-bootstrap interval: each resample draws as many units as there are, with replacement.
 * The resampling behind comparePairAccuracy's interval; seed 2024 and 10,000 resamples by default.
 *
 * @example
 * ```ts
 * import { bootstrapMeanPercent } from '@mmvp/metrics';
 * bootstrapMeanPercent([0.5, 0.5, 0.5]); // { mean: 50, ci95: [50, 50] }
 * ```
 */
export function bootstrapMeanPercent(values: ArrayLike<number>, options: BootstrapOptions = {}): { mean: number; ci95: readonly [number, number] } {
  const { resamples, seed } = checkOptions(options);
  const n = values.length;
  if (n === 0) throw new InvalidArgumentError('cannot bootstrap an empty set of units');
  const random = seededRandom(seed);
  const samples = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)]!;
    samples[r] = (100 * sum) / n;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i]!;
  return { mean: (100 * total) / n, ci95: interval(samples) };
}

/**
 * Paired bootstrap of the pair-accuracy difference b - a over the pairs both models answered (the
 * same pair ids are drawn for both), plus an exact McNemar test. Pairs present in only one model are
 * an error: a paired comparison needs the same pairs.
 */
export function comparePairAccuracy(a: readonly GradedResult[], b: readonly GradedResult[], options: BootstrapOptions = {}): PairedComparison {
  checkOptions(options); // bad options fail before bad pairs, as they always have
  const first = pairCorrectById(a);
  const second = pairCorrectById(b);
  const ids = [...first.keys()].sort((x, y) => x - y);
  const missing = ids.filter((id) => !second.has(id)).concat([...second.keys()].filter((id) => !first.has(id)));
  if (missing.length > 0) throw new InvalidArgumentError(`a paired comparison needs the same pairs in both models; pair(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''} are in only one`);
  if (ids.length === 0) throw new InvalidArgumentError('cannot compare two models on an empty set of pairs');
  // per pair: +1 (only b right), -1 (only a right), 0 (both or neither)
  const deltas = new Int8Array(ids.map((id) => Number(second.get(id)) - Number(first.get(id))));
  const n = ids.length;
  const onlyA = deltas.filter((delta) => delta < 0).length;
  const onlyB = deltas.filter((delta) => delta > 0).length;
  const differenceCi95 = bootstrapMeanPercent(deltas, options).ci95;
  return {
    pairs: n,
    difference: (100 * (onlyB - onlyA)) / n,
    differenceCi95,
    onlyA,
    onlyB,
    mcnemarP: mcnemarExact(onlyA, onlyB),
    resolved: differenceCi95[0] > 0 || differenceCi95[1] < 0,
    minimumDetectableDifference: resolvableDifference(n, onlyA + onlyB),
  };
}

/**
 * Exact two-sided McNemar p-value: under the null each discordant pair is equally likely to favour
 * either model, so p = min(1, 2 * P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2). 1 when there are
 * no discordant pairs.
 */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  const k = Math.min(onlyA, onlyB);
  // sum of C(n, i) / 2^n for i <= k, in log space so n in the thousands does not overflow
  let logTerm = -n * Math.LN2; // log(C(n, 0) / 2^n)
  let tail = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logTerm);
  }
  return Math.min(1, 2 * tail);
}

/** `16.3 [10.4, 22.2]`: a percent with its interval, as tables print it. */
export function formatWithInterval(value: number, ci95: readonly [number, number], digits = 1): string {
  return `${value.toFixed(digits)} [${ci95[0].toFixed(digits)}, ${ci95[1].toFixed(digits)}]`;
}
