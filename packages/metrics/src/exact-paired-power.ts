import { logGamma } from './student-t';

/** log P(X = i) for X ~ Binomial(n, p), exact at p = 0 and p = 1. */
function logBinomialPmf(i: number, n: number, p: number): number {
  if (p <= 0) return i === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (p >= 1) return i === n ? 0 : Number.NEGATIVE_INFINITY;
  return logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p);
}

/**
 * P(X <= k) for X ~ Binomial(n, p), summed from k away from the mode (where the terms shrink), so it
 * costs a few standard deviations of terms whatever n is.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const ratio = p / (1 - p); // P(X = i + 1) / P(X = i) = (n - i) / (i + 1) * ratio
  if (k < (n + 1) * p - 1) {
    // below the mode: P(X <= k) = sum for i = k, k - 1, ..., 0 (terms shrink going down)
    let term = Math.exp(logBinomialPmf(k, n, p));
    let sum = term;
    for (let i = k; i > 0 && term > sum * 1e-17; i--) {
      term *= i / ((n - i + 1) * ratio);
      sum += term;
    }
    return sum;
  }
  // at or above the mode: 1 - P(X >= k + 1), summed upward
  let term = Math.exp(logBinomialPmf(k + 1, n, p));
  let sum = term;
  for (let i = k + 1; i < n && term > sum * 1e-17; i++) {
    term *= ((n - i) / (i + 1)) * ratio;
    sum += term;
  }
  return Math.max(0, 1 - sum);
}

/**
 * The exact McNemar test's rejection region for `discordant` discordant pairs: the largest k with
 * 2 P(X <= k) < alpha, X ~ Binomial(discordant, 1/2), so the test (mcnemarExact) rejects when
 * min(onlyA, onlyB) <= k; -1 when no split of these pairs reaches alpha.
 */
export function mcnemarCriticalCount(discordant: number, alpha: number): number {
  if (discordant === 0) return -1;
  // start from the normal approximation, then step to the exact boundary
  let k = Math.max(-1, Math.min(Math.floor(discordant / 2), Math.floor(discordant / 2 - 1.96 * Math.sqrt(discordant) * 0.5)));
  while (k >= 0 && 2 * binomialCdf(k, discordant, 0.5) >= alpha) k--;
  while (k + 1 < discordant / 2 && 2 * binomialCdf(k + 1, discordant, 0.5) < alpha) k++;
  return k;
}

/**
 * Exact power of the two-sided exact McNemar test (the test every comparison prints) over `pairs`
 * pairs, as a function of the difference: the discordant count D is Binomial(pairs, psi); given D = d
 * the pairs only b got right are Binomial(d, (psi + delta) / (2 psi)), and the test rejects when the
 * smaller of the two counts is at most mcnemarCriticalCount(d). Power = sum over d of
 * P(D = d) P(reject | d). The weights and critical counts are computed once per (pairs, psi, alpha),
 * so searching over delta is cheap.
 *
 * @returns power(deltaShare), deltaShare the difference as a share in [0, psi].
 */
export function exactMcnemarPowerCurve(pairs: number, discordant: number, alpha: number): (deltaShare: number) => number {
  const mean = pairs * discordant;
  const spread = 10 * Math.sqrt(pairs * discordant * (1 - discordant)) + 5; // beyond 10 sd the weights are below 1e-20
  const terms: { readonly d: number; readonly weight: number; readonly critical: number }[] = [];
  for (let d = Math.max(0, Math.floor(mean - spread)); d <= Math.min(pairs, Math.ceil(mean + spread)); d++) {
    const critical = mcnemarCriticalCount(d, alpha);
    if (critical < 0) continue;
    const weight = Math.exp(logBinomialPmf(d, pairs, discordant));
    if (weight > 0) terms.push({ d, weight, critical });
  }
  return (deltaShare) => {
    const favoursB = Math.min(1, (discordant + deltaShare) / (2 * discordant));
    let power = 0;
    for (const { d, weight, critical } of terms) {
      // reject when onlyB <= critical or onlyB >= d - critical (the two regions never overlap: critical < d / 2)
      power += weight * (binomialCdf(critical, d, favoursB) + 1 - binomialCdf(d - critical - 1, d, favoursB));
    }
    return Math.min(1, power);
  };
}
