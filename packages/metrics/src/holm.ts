import { InvalidArgumentError } from '@mmvp/core';

/**
 * Holm's step-down adjustment of a family of p-values (Holm 1979), in the input order: sort
 * ascending, multiply the i-th smallest (0-based) by (m - i), take the running maximum, cap at 1.
 * Controls the family-wise error rate at alpha for any dependence, and is never less powerful
 * than Bonferroni. R's `p.adjust(p, "holm")`.
 *
 * @example
 * ```ts
 * import { holmAdjust } from '@mmvp/metrics';
 * holmAdjust([0.01, 0.04, 0.03, 0.005]); // [0.03, 0.06, 0.06, 0.02]
 * ```
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  for (const [index, p] of pValues.entries()) if (!(p >= 0 && p <= 1)) throw new InvalidArgumentError(`p-value ${index + 1} must lie in [0, 1], got ${p}`);
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((x, y) => x.p - y.p || x.index - y.index);
  const adjusted = new Array<number>(m);
  let running = 0;
  for (const [rank, { p, index }] of order.entries()) {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  }
  return adjusted;
}

/**
 * A family of paired comparisons (e.g. every ratio against r = 0) with Holm-adjusted McNemar
 * p-values: each gets `mcnemarPHolm` beside its raw `mcnemarP`, and `resolved` stays true only when
 * its interval excludes 0 AND the adjusted p-value is below `alpha` (default 0.05), so a family of
 * six is not read as six separate 5% tests.
 */
export function holmAdjustComparisons<T extends { readonly mcnemarP: number; readonly resolved: boolean }>(comparisons: readonly T[], alpha = 0.05): (T & { readonly mcnemarPHolm: number })[] {
  const adjusted = holmAdjust(comparisons.map((comparison) => comparison.mcnemarP));
  return comparisons.map((comparison, index) => ({ ...comparison, mcnemarPHolm: adjusted[index]!, resolved: comparison.resolved && adjusted[index]! < alpha }));
}
