import { InvalidArgumentError } from '@mmvp/core';
import { exactMcnemarPowerCurve } from './exact-paired-power';
import { normalCdf, normalQuantile } from './normal-distribution';

/** Power and significance of a two-sided paired test (McNemar) over pairs. */
export interface PowerSettings {
  /** Share of pairs on which the two models disagree (one right, the other wrong), 0 < discordant <= 1. */
  readonly discordant: number;
  /** Wanted power, 0 < power < 1 (default 0.8). */
  readonly power?: number;
  /** Two-sided significance level, 0 < alpha < 1 (default 0.05). */
  readonly alpha?: number;
}

function checkPairs(pairs: number): void {
  if (!Number.isFinite(pairs) || pairs < 1) throw new InvalidArgumentError(`pairs must be a positive number, got ${pairs}`);
}

/** |difference| as a share, checked against the discordant share (0 allowed only for a power query). */
function checkDifference(difference: number, discordant: number, allowZero = false): number {
  const delta = Math.abs(difference) / 100;
  if (!(allowZero ? delta >= 0 : delta > 0) || delta > discordant)
    throw new InvalidArgumentError(`difference must be ${allowZero ? 'at least' : 'above'} 0 and at most the discordant share (${100 * discordant} points), got ${difference}`);
  return delta;
}

function check(settings: PowerSettings): { discordant: number; alpha: number; zAlpha: number; zBeta: number } {
  const { discordant, power = 0.8, alpha = 0.05 } = settings;
  if (!(discordant > 0 && discordant <= 1)) throw new InvalidArgumentError(`discordant must be a share of pairs in (0, 1] (e.g. 0.2 for 20% of pairs on which the models disagree), got ${discordant}`);
  if (!(power > 0 && power < 1)) throw new InvalidArgumentError(`power must lie in (0, 1) (e.g. 0.8), got ${power}`);
  if (!(alpha > 0 && alpha < 1)) throw new InvalidArgumentError(`alpha must lie in (0, 1) (e.g. 0.05), got ${alpha}`);
  return { discordant, alpha, zAlpha: normalQuantile(1 - alpha / 2), zBeta: normalQuantile(power) };
}

/**
 * Connor's (1987) normal approximation to the pairs McNemar's test needs for a pair-accuracy
 * difference of `difference` points: n = (z_{1-alpha/2} sqrt(psi) + z_{power} sqrt(psi - delta^2))^2
 * / delta^2, psi the discordant share, delta the difference as a share. It is the z test's formula;
 * pairsNeeded starts its exact search here. |delta| cannot exceed psi.
 *
 * @example
 * ```ts
 * import { connorPairsNeeded } from '@mmvp/metrics';
 * connorPairsNeeded(3.3, { discordant: 0.2 }); // 1440
 * ```
 */
export function connorPairsNeeded(difference: number, settings: PowerSettings): number {
  const { discordant, zAlpha, zBeta } = check(settings);
  const delta = checkDifference(difference, discordant);
  return Math.ceil((zAlpha * Math.sqrt(discordant) + zBeta * Math.sqrt(discordant - delta * delta)) ** 2 / (delta * delta));
}

/**
 * Connor's (1987) formula solved for delta: the smallest difference (points) the McNemar z test
 * detects over `pairs` pairs with the given power, by the normal approximation. At 150 pairs and
 * 20% discordant it says 10.1 points, where the exact test (minimumDetectableDifference) needs 10.6.
 * null when even every discordant pair favouring one model is underpowered.
 */
export function connorMinimumDetectableDifference(pairs: number, settings: PowerSettings): number | null {
  const { discordant, zAlpha, zBeta } = check(settings);
  checkPairs(pairs);
  // n(delta) decreases in delta on (0, psi]: bisect n(delta) = pairs
  const needed = (delta: number) => (zAlpha * Math.sqrt(discordant) + zBeta * Math.sqrt(Math.max(0, discordant - delta * delta))) ** 2 / (delta * delta);
  if (needed(discordant) > pairs) return null;
  let low = 0;
  let high = discordant;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (needed(mid) > pairs) low = mid;
    else high = mid;
  }
  return 100 * high;
}

/** Power of the McNemar z test with `pairs` pairs to detect `difference` points by Connor's (1987) normal approximation. */
export function connorPairedTestPower(pairs: number, difference: number, settings: Omit<PowerSettings, 'power'>): number {
  const { discordant, zAlpha } = check({ ...settings, power: 0.5 });
  const delta = checkDifference(difference, discordant, true);
  return normalCdf((delta * Math.sqrt(pairs) - zAlpha * Math.sqrt(discordant)) / Math.sqrt(Math.max(1e-12, discordant - delta * delta)));
}

/**
 * Exact power of the two-sided exact McNemar test (mcnemarExact, what every comparison prints) with
 * `pairs` pairs to detect a pair-accuracy difference of `difference` points: the discordant count
 * D ~ Binomial(pairs, psi), and given D the pairs favouring the better model ~ Binomial(D,
 * (psi + delta) / (2 psi)), summed over the test's rejection region (exactMcnemarPowerCurve).
 *
 * @example
 * ```ts
 * import { pairedTestPower } from '@mmvp/metrics';
 * pairedTestPower(150, 10, { discordant: 0.2 }); // 0.75
 * ```
 */
export function pairedTestPower(pairs: number, difference: number, settings: Omit<PowerSettings, 'power'>): number {
  const { discordant, alpha } = check({ ...settings, power: 0.5 });
  checkPairs(pairs);
  return exactMcnemarPowerCurve(pairs, discordant, alpha)(checkDifference(difference, discordant, true));
}

/**
 * Pairs needed for the exact McNemar test (two-sided, default 5%) to detect a pair-accuracy
 * difference of `difference` points with the given power (default 80%): the smallest n, searched by
 * bisection from Connor's (1987) approximation, at which pairedTestPower reaches the power and
 * n - 1 does not. |delta| cannot exceed psi (a difference needs that many discordant pairs).
 *
 * @example
 * ```ts
 * import { pairsNeeded } from '@mmvp/metrics';
 * pairsNeeded(3.3, { discordant: 0.2 }); // 1492: the paper's I-MoF gain needs about 1,490 pairs
 * ```
 */
export function pairsNeeded(difference: number, settings: PowerSettings): number {
  const { discordant, alpha } = check(settings);
  const power = settings.power ?? 0.8;
  const delta = checkDifference(difference, discordant);
  const reaches = (pairs: number) => exactMcnemarPowerCurve(pairs, discordant, alpha)(delta) >= power;
  // invariant: low does not reach the power, high does
  let low = 0;
  let high = Math.max(1, connorPairsNeeded(difference, settings));
  while (!reaches(high)) {
    low = high;
    high *= 2;
    if (high > 1e8) throw new InvalidArgumentError(`no study of up to 100,000,000 pairs reaches ${100 * power}% power for ${difference} points at ${100 * discordant}% discordant`);
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (reaches(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * The smallest pair-accuracy difference (points) that the exact McNemar test over `pairs` pairs
 * detects with the given power (default 80%, two-sided 5%): pairedTestPower, increasing in the
 * difference, bisected. 150 pairs with 20% of them discordant resolve 10.6 points (Connor's
 * approximation says 10.1). null when even the largest difference these discordant pairs allow (all
 * of them favouring one model) has less power.
 *
 * @example
 * ```ts
 * import { minimumDetectableDifference } from '@mmvp/metrics';
 * minimumDetectableDifference(150, { discordant: 0.2 }); // 10.6
 * ```
 */
export function minimumDetectableDifference(pairs: number, settings: PowerSettings): number | null {
  const { discordant, alpha } = check(settings);
  const power = settings.power ?? 0.8;
  checkPairs(pairs);
  const curve = exactMcnemarPowerCurve(Math.round(pairs), discordant, alpha);
  if (curve(discordant) < power) return null; // even a difference as large as every discordant pair is underpowered
  let low = 0;
  let high = discordant;
  for (let i = 0; i < 50; i++) {
    const mid = (low + high) / 2;
    if (curve(mid) < power) low = mid;
    else high = mid;
  }
  return 100 * high;
}

/**
 * What an unresolved comparison over `pairs` pairs, `discordantPairs` of them discordant, could
 * have resolved: the minimum detectable difference at 80% power and two-sided 5%, from the observed
 * discordance; null when no pair is discordant (the discordance, and so the power, is unknown).
 */
export function resolvableDifference(pairs: number, discordantPairs: number): number | null {
  if (discordantPairs <= 0 || pairs <= 0) return null;
  return minimumDetectableDifference(pairs, { discordant: discordantPairs / pairs });
}

/** A power plan of a paired comparison: how many pairs resolve how large a difference. */
export interface PairedComparisonPlan {
  readonly discordant: number;
  readonly power: number;
  readonly alpha: number;
  /** Smallest difference (points) `pairsNeeded` pairs resolve with this power. */
  readonly minimumDetectableDifference: number;
  /** Pairs needed to resolve `minimumDetectableDifference` points with this power. */
  readonly pairsNeeded: number;
}

/**
 * What `mmvp power` prints: give `pairs` (how large a difference can these pairs resolve?) or
 * `difference` in points (how many pairs does it need?), not both.
 */
export function planPairedComparison(request: { readonly pairs?: number; readonly difference?: number } & PowerSettings): PairedComparisonPlan {
  const { pairs, difference, discordant, power = 0.8, alpha = 0.05 } = request;
  if ((pairs === undefined) === (difference === undefined)) throw new InvalidArgumentError('give either pairs (to get the minimum detectable difference) or difference (to get the pairs needed), not both or neither');
  const settings = { discordant, power, alpha };
  if (pairs !== undefined) {
    if (!Number.isInteger(pairs) || pairs < 1) throw new InvalidArgumentError(`pairs must be a positive integer, got ${pairs}`);
    const detectable = minimumDetectableDifference(pairs, settings);
    if (detectable === null)
      throw new InvalidArgumentError(
        `${pairs} pairs with ${100 * discordant}% discordant cannot reach ${100 * power}% power for any difference up to ${100 * discordant} points (every discordant pair favouring one model); give more pairs or a larger discordant share`,
      );
    return { ...settings, minimumDetectableDifference: detectable, pairsNeeded: pairs };
  }
  return { ...settings, minimumDetectableDifference: Math.abs(difference!), pairsNeeded: pairsNeeded(difference!, settings) };
}
