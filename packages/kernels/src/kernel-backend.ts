import type { Tensor } from '@mmvp/core';

/** Names of the kernel backends this package ships. */
export type KernelBackendName = 'wasm' | 'js' | 'gpujs' | 'ort';

/** The execution providers the `ort` backend can ask onnxruntime-node for (`--device`). */
export type KernelDevice = 'cpu' | 'webgpu' | 'cuda';

/**
 * One implementation of the two token kernels. Every backend must give bit-identical results on
 * the CPU (GPU execution providers: within the tolerance stated in the README):
 * - `interleave(a, b)`: [B, N, H] x2 -> [B, 2N, H] with rows c0, d0, c1, d1, ... (I-MoF order);
 * - `additiveMix(a, b, r)`: [B, N, D] x2 -> [B, N, D], `f32(f32(1 - r) * a) + f32(f32(r) * b)` in float32
 *   arithmetic (what PyTorch computes for `(1 - r) * clip + r * dino` on float32 tensors).
 * `out` (optional) is written instead of a fresh array and returned as the result's data; it must
 * have exactly the output's length. Reusing it across calls keeps allocation off the hot path. For the
 * mix, the `js` and `wasm` backends also accept `out = a.data` (element-wise, so mixing over the first
 * input is safe; it touches two arrays instead of three).
 */
export interface KernelBackend {
  readonly name: string;
  /** Where the work actually runs, e.g. `gpu.js mode 'webasm'` or `onnxruntime-node EP 'cpu'`. */
  readonly description: string;
  /** I-MoF: [B, N, H] x2 -> [B, 2N, H], token rows alternating a0, b0, a1, b1, ... */
  interleave(a: Tensor, b: Tensor, out?: Float32Array): Promise<Tensor>;
  /** A-MoF: [B, N, D] x2 -> [B, N, D], `(1 - ratio) * a + ratio * b` in float32 arithmetic. */
  additiveMix(a: Tensor, b: Tensor, ratio: number, out?: Float32Array): Promise<Tensor>;
  /** Frees what the backend holds (compiled kernels, ONNX sessions, wasm memory). */
  dispose(): Promise<void>;
}

/** Creates a backend; may throw (or reject) when the backend cannot run here. */
export type KernelBackendFactory = () => KernelBackend | Promise<KernelBackend>;
