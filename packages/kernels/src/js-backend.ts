import { ShapeMismatchError, type Tensor } from '@mmvp/core';
import { checkInterleaveArguments, checkMixArguments } from './kernel-arguments';
import type { KernelBackend } from './kernel-backend';

/** A caller-provided output must have exactly the output's length. */
function outputArray(out: Float32Array | undefined, length: number): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length) throw new ShapeMismatchError(`the output array has ${out.length} values but the result needs ${length}`);
  return out;
}

/**
 * Interleaves token rows with whole-row `TypedArray.set` copies (memcpy speed). `out` (optional,
 * length 2*B*N*H) is written instead of a fresh array: allocating and first-touching a large
 * output costs more than the copies themselves.
 */
export function interleaveJs(a: Tensor, b: Tensor, out?: Float32Array): Tensor {
  const [batch, tokens, width] = checkInterleaveArguments(a, b);
  const result = outputArray(out, 2 * a.data.length); // [B, 2N, H]
  const source = [a.data, b.data] as const;
  for (let item = 0; item < batch; item++) {
    const inBase = item * tokens * width;
    const outBase = 2 * inBase;
    for (let token = 0; token < tokens; token++) {
      const from = inBase + token * width;
      const to = outBase + 2 * token * width;
      result.set(source[0].subarray(from, from + width), to); // c_j
      result.set(source[1].subarray(from, from + width), to + width); // d_j
    }
  }
  return { data: result, dims: [batch, 2 * tokens, width] };
}

/** `(1 - r) * a + r * b` in float32 steps, element-wise; `out` as in interleaveJs. */
export function additiveMixJs(a: Tensor, b: Tensor, ratio: number, out?: Float32Array): Tensor {
  checkMixArguments(a, b, ratio);
  const keep = Math.fround(1 - ratio);
  const take = Math.fround(ratio);
  const x = a.data;
  const y = b.data;
  const result = outputArray(out, x.length); // same shape as a
  for (let i = 0; i < x.length; i++) result[i] = Math.fround(keep * x[i]!) + Math.fround(take * y[i]!);
  return { data: result, dims: [...a.dims] };
}

/** The baseline backend: plain typed-array code on the main thread, always available. */
export function createJsBackend(): KernelBackend {
  return {
    name: 'js',
    description: 'JavaScript typed arrays (TypedArray.set row copies)',
    interleave: async (a, b) => interleaveJs(a, b),
    additiveMix: async (a, b, ratio) => additiveMixJs(a, b, ratio),
    dispose: async () => {},
  };
}
