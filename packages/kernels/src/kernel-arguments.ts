import { InvalidArgumentError, ShapeMismatchError, formatShape, type Tensor } from '@mmvp/core';

/** A caller-provided output must have exactly the output's length; without one, a fresh array. */
export function outputArray(out: Float32Array | undefined, length: number): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length) throw new ShapeMismatchError(`the output array has ${out.length} values but the result needs ${length}`);
  return out;
}

/** Checks interleave inputs: both [B, N, H] with equal shapes. Returns [B, N, H]. */
export function checkInterleaveArguments(a: Tensor, b: Tensor): [number, number, number] {
  if (a.dims.length !== 3 || b.dims.length !== 3) {
    throw new ShapeMismatchError(`interleave needs two [B, N, H] tensors, got ${formatShape(a.dims)} and ${formatShape(b.dims)}`);
  }
  if (a.dims.some((d, i) => d !== b.dims[i])) {
    throw new ShapeMismatchError(`interleave needs tensors of equal shape, got ${formatShape(a.dims)} and ${formatShape(b.dims)}`);
  }
  return [a.dims[0]!, a.dims[1]!, a.dims[2]!];
}

/** Checks additive-mix inputs: equal shapes (any rank) and a ratio in [0, 1]. */
export function checkMixArguments(a: Tensor, b: Tensor, ratio: number): void {
  if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
    throw new ShapeMismatchError(`additive mix needs tensors of equal shape, got ${formatShape(a.dims)} and ${formatShape(b.dims)}`);
  }
  checkRatio(ratio);
}

/** The DINOv2 ratio r of A-MoF must be a number in [0, 1]. */
export function checkRatio(ratio: number, what = 'dinoRatio'): void {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new InvalidArgumentError(`${what} must be a number in [0, 1], got ${String(ratio)}`);
  }
}
