// Test-only helpers shared by the graph-tap and encoder tests (@mmvp/onnx, encoder-clip, encoder-dinov2):
// they compare onnxruntime outputs with the PyTorch references of tools/tiny_models.py.
import { expect } from 'vitest';
import { tensor, type Tensor } from '@mmvp/core';

/** Largest |a[i] - b[i]|; fails the test when the lengths differ. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Row k of a reference `hidden_states.npy` [L+1, B, T, D], i.e. Hugging Face hidden_states[k] [B, T, D]. */
export function hiddenState(all: { data: Float32Array; dims: readonly number[] }, k: number): Tensor {
  const dims = all.dims.slice(1);
  const size = dims.reduce((p, d) => p * d, 1);
  return tensor(all.data.slice(k * size, (k + 1) * size), dims);
}
