import type { Tensor } from '@mmvp/core';
import { checkInterleaveArguments, checkMixArguments } from './kernel-arguments';
import type { KernelBackend } from './kernel-backend';

/** Interleaves token rows with whole-row `TypedArray.set` copies (memcpy speed). */
export function interleaveJs(a: Tensor, b: Tensor): Tensor {
  const [batch, tokens, width] = checkInterleaveArguments(a, b);
  const out = new Float32Array(2 * a.data.length); // [B, 2N, H]
  const source = [a.data, b.data] as const;
  for (let item = 0; item < batch; item++) {
    const inBase = item * tokens * width;
    const outBase = 2 * inBase;
    for (let token = 0; token < tokens; token++) {
      const from = inBase + token * width;
      const to = outBase + 2 * token * width;
      out.set(source[0].subarray(from, from + width), to); // c_j
      out.set(source[1].subarray(from, from + width), to + width); // d_j
    }
  }
  return { data: out, dims: [batch, 2 * tokens, width] };
}

/** `(1 - r) * a + r * b` in float32 steps, element-wise. */
export function additiveMixJs(a: Tensor, b: Tensor, ratio: number): Tensor {
  checkMixArguments(a, b, ratio);
  const keep = Math.fround(1 - ratio);
  const take = Math.fround(ratio);
  const x = a.data;
  const y = b.data;
  const out = new Float32Array(x.length); // same shape as a
  for (let i = 0; i < x.length; i++) out[i] = Math.fround(keep * x[i]!) + Math.fround(take * y[i]!);
  return { data: out, dims: [...a.dims] };
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
