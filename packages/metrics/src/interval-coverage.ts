import { seededRandom } from '@mmvp/core';
import { clusteredWilsonInterval, stratifiedWilsonInterval } from './clustered-interval';
import { binomialCdf, clopperPearsonInterval, wilsonInterval, type PercentInterval } from './proportion-interval';

// Coverage of the 95% intervals this package prints, computed (binomial, exactly) or simulated
// (clustered questions, stratified means). Used by interval-coverage.test.ts and by
// benchmarks/src/interval-coverage.bench.ts, which prints the table in this package's README.

/** A method that turns x successes of n into an interval (percent). */
type BinomialMethod = (successes: number, trials: number) => PercentInterval;

/** P(X = x) for x = 0..n, X ~ Binomial(n, p). */
function binomialPmf(n: number, p: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  if (p <= 0) pmf[0] = 1;
  else if (p >= 1) pmf[n] = 1;
  else {
    let logTerm = n * Math.log1p(-p);
    pmf[0] = Math.exp(logTerm);
    for (let x = 1; x <= n; x++) {
      logTerm += Math.log(n - x + 1) - Math.log(x) + Math.log(p) - Math.log1p(-p);
      pmf[x] = Math.exp(logTerm);
    }
  }
  return pmf;
}

/** The smallest k with P(X <= k) >= q, X ~ Binomial(n, p). */
function binomialQuantile(q: number, n: number, p: number): number {
  for (let k = 0; k <= n; k++) if (binomialCdf(k, n, p) >= q - 1e-12) return k;
  return n;
}

/**
 * The percentile bootstrap of x of n with infinitely many resamples: a resample's count is
 * Binomial(n, x / n), so its interval is that distribution's 2.5% and 97.5% quantiles.
 */
const idealPercentileBootstrap: BinomialMethod = (successes, trials) => [(100 * binomialQuantile(0.025, trials, successes / trials)) / trials, (100 * binomialQuantile(0.975, trials, successes / trials)) / trials];

/** The binomial methods compared: Wilson (printed), Clopper-Pearson, the percentile bootstrap (before). */
export const BINOMIAL_METHODS: Readonly<Record<string, BinomialMethod>> = {
  wilson: wilsonInterval,
  'clopper-pearson': clopperPearsonInterval,
  'percentile bootstrap': idealPercentileBootstrap,
};

/** Exact coverage: the probability that the method's interval for X ~ Binomial(n, p) contains 100 p. */
export function exactCoverage(method: BinomialMethod, n: number, p: number): number {
  const pmf = binomialPmf(n, p);
  let covered = 0;
  for (let x = 0; x <= n; x++) {
    if (pmf[x]! < 1e-15) continue;
    const [low, high] = method(x, n);
    if (low <= 100 * p + 1e-9 && 100 * p - 1e-9 <= high) covered += pmf[x]!;
  }
  return covered;
}

/**
 * Simulated coverage of the question-accuracy interval (clusteredWilsonInterval) for n pairs whose
 * two answers are each right with probability p and agree more than chance: with probability
 * `sharing` a pair's two answers are one draw, otherwise two independent draws (intra-pair
 * correlation = sharing).
 */
export function clusteredCoverage(pairs: number, p: number, sharing: number, runs: number, seed = 1): number {
  const random = seededRandom(seed);
  let covered = 0;
  const clusters: [number, number][] = Array.from({ length: pairs }, () => [0, 2]);
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < pairs; i++) {
      const first = random() < p;
      clusters[i]![0] = random() < sharing ? 2 * Number(first) : Number(first) + Number(random() < p);
    }
    const [low, high] = clusteredWilsonInterval(clusters).ci95;
    if (low <= 100 * p + 1e-9 && 100 * p - 1e-9 <= high) covered++;
  }
  return covered / runs;
}

/**
 * Simulated coverage of the stratified mean's interval over `groups` equal groups of `size` units,
 * group h right with probability p_h spread evenly over [0.2 p, 1.8 p] (mean p), for the stratified
 * Wilson interval (`wilson`) and the stratified percentile bootstrap with `resamples` (`bootstrap`;
 * skipped when resamples is 0).
 */
export function stratifiedCoverage(groups: number, size: number, p: number, runs: number, resamples: number, seed = 1): { wilson: number; bootstrap: number | null } {
  const random = seededRandom(seed);
  const rates = Array.from({ length: groups }, (_, h) => Math.min(1, p * (0.2 + (1.6 * h) / Math.max(1, groups - 1))));
  const truth = (100 * rates.reduce((sum, rate) => sum + rate, 0)) / groups;
  let wilson = 0;
  let bootstrap = 0;
  const samples = new Float64Array(resamples);
  for (let run = 0; run < runs; run++) {
    const counts = rates.map((rate) => {
      let right = 0;
      for (let i = 0; i < size; i++) if (random() < rate) right++;
      return right;
    });
    const [low, high] = stratifiedWilsonInterval(counts.map((right) => [right, size])).ci95;
    if (low <= truth + 1e-9 && truth - 1e-9 <= high) wilson++;
    if (resamples > 0) {
      for (let b = 0; b < resamples; b++) {
        let sum = 0;
        for (const right of counts) {
          let drawn = 0;
          for (let i = 0; i < size; i++) if (random() * size < right) drawn++;
          sum += (100 * drawn) / size;
        }
        samples[b] = sum / groups;
      }
      samples.sort();
      const lowB = samples[Math.floor(0.025 * (resamples - 1))]!;
      const highB = samples[Math.ceil(0.975 * (resamples - 1))]!;
      if (lowB <= truth + 1e-9 && truth - 1e-9 <= highB) bootstrap++;
    }
  }
  return { wilson: wilson / runs, bootstrap: resamples > 0 ? bootstrap / runs : null };
}
