import { InvalidArgumentError, NumericError } from '@mmvp/core';

/**
 * Pearson correlation of two score vectors (e.g. CLIP's and an MLLM's per-pattern scores, paper
 * appendix: LLaVA-1.5 0.87). Both must have the same length >= 2, finite values and non-zero
 * variance (then r is undefined and this throws instead of returning NaN).
 */
export function pearson(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new InvalidArgumentError(`pearson: the vectors differ in length (${a.length} vs ${b.length})`);
  if (a.length < 2) throw new InvalidArgumentError(`pearson: needs at least 2 values per vector, got ${a.length}`);
  if (![...a, ...b].every(Number.isFinite)) throw new NumericError('pearson: a value is not finite');
  const meanA = a.reduce((s, v) => s + v, 0) / a.length;
  const meanB = b.reduce((s, v) => s + v, 0) / b.length;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    covariance += da * db;
    varianceA += da * da;
    varianceB += db * db;
  }
  if (varianceA === 0 || varianceB === 0) throw new NumericError(`pearson: ${varianceA === 0 ? 'the first' : 'the second'} vector is constant, so the correlation is undefined`);
  return covariance / Math.sqrt(varianceA * varianceB);
}
