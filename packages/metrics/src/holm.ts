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
