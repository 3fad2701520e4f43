import type { Tensor } from '@mmvp/core';
import { interleaveJs } from './js-backend';
import { checkInterleaveArguments, checkMixArguments, outputArray } from './kernel-arguments';
import type { KernelBackend } from './kernel-backend';
import { wasmArenaOf } from './wasm-token-arena';
import { instantiateTokenKernels } from './wasm/token-kernels-module';
import { webAssembly } from './wasm/webassembly-api';

// Inputs that do not live in an arena go through a small scratch area in chunks this size: three
// chunks (a, b, out) of 64 KiB stay in the L2 cache, so the staging copies cost cache, not memory,
// bandwidth (measured: 0.45 of a copy at [8, 576, 5120] against 0.24 when staging whole tensors).
const chunkFloats = 16384;

/**
 * Token kernels in WebAssembly SIMD (src/wasm/token-kernels.wat): the additive mix as f32x4
 * multiply then add (two roundings, as PyTorch float32), interleave as bulk `memory.copy` rows.
 * - a, b and `out` all in one `WasmTokenArena`: the kernel runs on them in place (no copies);
 * - otherwise the mix stages chunks through a cache-sized scratch memory, and interleave copies rows
 *   with `TypedArray.set` straight from the inputs (staging would add a pass to pure data movement).
 */
export function createWasmBackend(): KernelBackend {
  const scratch = new webAssembly.Memory({ initial: Math.ceil((3 * chunkFloats * 4) / 65536) });
  const kernels = instantiateTokenKernels(scratch);
  const view = new Float32Array(scratch.buffer);
  const [aAt, bAt, outAt] = [0, chunkFloats, 2 * chunkFloats]; // float offsets of the three chunks

  return {
    name: 'wasm',
    description: 'WebAssembly SIMD f32x4 on the CPU; in place on arena tensors, else staged in 64 KiB chunks',
    async interleave(a: Tensor, b: Tensor, out?: Float32Array): Promise<Tensor> {
      const [batch, tokens, width] = checkInterleaveArguments(a, b);
      const result = outputArray(out, 2 * a.data.length); // [B, 2N, H]
      const arena = wasmArenaOf(a.data);
      if (arena === undefined || !arena.holds(b.data) || !arena.holds(result)) return interleaveJs(a, b, result);
      arena.kernels.interleave(a.data.byteOffset, b.data.byteOffset, result.byteOffset, batch * tokens, width);
      return { data: result, dims: [batch, 2 * tokens, width] };
    },
    async additiveMix(a: Tensor, b: Tensor, ratio: number, out?: Float32Array): Promise<Tensor> {
      checkMixArguments(a, b, ratio);
      const keep = Math.fround(1 - ratio); // rounded to float32 once, as PyTorch's scalar (1 - r)
      const take = Math.fround(ratio);
      const count = a.data.length;
      const result = outputArray(out, count); // same shape as a
      const arena = wasmArenaOf(a.data);
      if (arena?.holds(b.data) && arena.holds(result)) {
        arena.kernels.additive_mix(a.data.byteOffset, b.data.byteOffset, result.byteOffset, count, keep, take);
        return { data: result, dims: [...a.dims] };
      }
      for (let start = 0; start < count; start += chunkFloats) {
        const size = Math.min(chunkFloats, count - start);
        view.set(a.data.subarray(start, start + size), aAt);
        view.set(b.data.subarray(start, start + size), bAt);
        kernels.additive_mix(aAt * 4, bAt * 4, outAt * 4, size, keep, take);
        result.set(view.subarray(outAt, outAt + size), start);
      }
      return { data: result, dims: [...a.dims] };
    },
    dispose: async () => {},
  };
}
