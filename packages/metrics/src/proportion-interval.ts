import { InvalidArgumentError } from '@mmvp/core';

/** A 95% interval [low, high] in percent (0-100). */
export type PercentInterval = readonly [number, number];

/** The two-sided 95% normal quantile z_{0.975}. */
const Z_95 = 1.959963984540054;

const round = (value: number) => Math.round(value * 1e9) / 1e9;

function checkCounts(successes: number, trials: number): void {
  if (!Number.isFinite(trials) || trials <= 0) throw new InvalidArgumentError(`an interval for a proportion needs a positive number of trials, got ${trials}`);
  if (!Number.isFinite(successes) || successes < 0 || successes > trials) throw new InvalidArgumentError(`successes must lie in [0, ${trials}], got ${successes}`);
}

/**
 * Wilson score 95% interval of `successes / trials`, in percent. Never collapses at 0 or n (0 of
 * 15 gives [0, 20.4]), and its coverage stays near 95% down to n = 15 (Brown, Cai and DasGupta
 * 2001). `trials` may be fractional (an effective sample size, see wilsonIntervalForRate).
 *
 * @example
 * ```ts
 * import { wilsonInterval } from '@mmvp/metrics';
 * wilsonInterval(0, 15); // [0, 20.39...]
 * ```
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): PercentInterval {
  checkCounts(successes, trials);
  const z2 = z * z;
  const denominator = trials + z2;
  const center = (successes + z2 / 2) / denominator;
  const half = (z / denominator) * Math.sqrt(Math.max(0, (successes * (trials - successes)) / trials + z2 / 4));
  // at 0 and n the bound is exactly 0 or 100 (center - half is 0 there up to rounding)
  const low = successes === 0 ? 0 : Math.max(0, center - half);
  const high = successes === trials ? 1 : Math.min(1, center + half);
  return [round(100 * low), round(100 * high)];
}

/** Wilson interval of a rate `p` (0..1) observed on an effective sample of `effectiveTrials`. */
export function wilsonIntervalForRate(rate: number, effectiveTrials: number, z = Z_95): PercentInterval {
  if (!(rate >= 0 && rate <= 1)) throw new InvalidArgumentError(`a rate must lie in [0, 1], got ${rate}`);
  return wilsonInterval(rate * effectiveTrials, effectiveTrials, z);
}

/** log C(n, k) via a running sum of logs (exact enough for n in the tens of thousands). */
function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/** P(X <= k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logTerm = logChoose(n, 0) + n * logQ; // i = 0
  let total = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i) + logP - logQ;
    total += Math.exp(logTerm);
  }
  return Math.min(1, total);
}

/** The p in (0, 1) at which the decreasing function `f(p)` crosses `target`, by bisection. */
function solveDecreasing(f: (p: number) => number, target: number): number {
  let low = 0;
  let high = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (f(mid) > target) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * Clopper-Pearson ("exact") 95% interval of `successes / trials` in percent: the p whose binomial
 * tails equal 2.5%. Coverage is at least 95% for every p (conservative); 0 of 15 gives [0, 21.8].
 *
 * @example
 * ```ts
 * import { clopperPearsonInterval } from '@mmvp/metrics';
 * clopperPearsonInterval(0, 150); // [0, 2.43...]
 * ```
 */
export function clopperPearsonInterval(successes: number, trials: number, alpha = 0.05): PercentInterval {
  checkCounts(successes, trials);
  if (!Number.isInteger(successes) || !Number.isInteger(trials)) throw new InvalidArgumentError(`Clopper-Pearson needs whole counts, got ${successes} of ${trials}`);
  // low: P(X >= x | p) = alpha/2, i.e. 1 - cdf(x - 1) = alpha/2; high: P(X <= x | p) = alpha/2
  const low = successes === 0 ? 0 : solveDecreasing((p) => binomialCdf(successes - 1, trials, p), 1 - alpha / 2);
  const high = successes === trials ? 1 : solveDecreasing((p) => binomialCdf(successes, trials, p), alpha / 2);
  return [round(100 * low), round(100 * high)];
}
