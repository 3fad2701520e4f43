import type { Tensor } from '@mmvp/core';
import { checkInterleaveArguments, checkMixArguments, outputArray } from './kernel-arguments';
import type { KernelBackend } from './kernel-backend';

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
  const result = outputArray(out, a.data.length); // same shape as a
  mixLoop(a.data, b.data, result, keep, take);
  return { data: result, dims: [...a.dims] };
}

// A small monomorphic loop (locals, cached length) so V8 optimizes it on its own. The product of
// two float32 values is exact in a double, so Math.fround gives the float32 product; the sum of two
// float32 values, computed in a double and then rounded to float32 by the store, is the float32 sum
// (a double has more than 2 * 24 + 2 bits, so the double rounding is harmless).
function mixLoop(x: Float32Array, y: Float32Array, result: Float32Array, keep: number, take: number): void {
  const length = result.length;
  for (let i = 0; i < length; i++) result[i] = Math.fround(keep * x[i]!) + Math.fround(take * y[i]!);
}

/** The baseline backend: plain typed-array code on the main thread, always available. */
export function createJsBackend(): KernelBackend {
  return {
    name: 'js',
    description: 'JavaScript on the main thread (TypedArray.set row copies; a scalar float32 mix loop)',
    interleave: async (a, b, out) => interleaveJs(a, b, out),
    additiveMix: async (a, b, ratio, out) => additiveMixJs(a, b, ratio, out),
    dispose: async () => {},
  };
}
