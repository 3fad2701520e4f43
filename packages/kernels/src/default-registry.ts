import type { Tensor } from '@mmvp/core';
import { KernelBackendRegistry } from './backend-registry';
import { createGpuJsBackend } from './gpujs-backend';
import { createJsBackend } from './js-backend';
import type { KernelBackend, KernelBackendName } from './kernel-backend';
import { createOrtBackend } from './ort-backend';

/**
 * A registry holding the three shipped backends. `js` has the highest priority because on a CPU
 * the kernels are pure memory traffic and typed-array copies are the fastest; ask for 'ort' (tokens
 * stay with onnxruntime's execution provider) or 'gpujs' by name, with 'js' as fallback:
 * `registry.resolve(['ort', 'js'])`.
 */
export function createKernelRegistry(options: { executionProvider?: 'cpu' | 'webgpu' | 'cuda' } = {}): KernelBackendRegistry {
  const registry = new KernelBackendRegistry();
  registry.register('js', () => createJsBackend(), 100);
  registry.register('ort', () => createOrtBackend({ executionProvider: options.executionProvider ?? 'cpu' }), 50);
  registry.register('gpujs', () => createGpuJsBackend(), 10);
  return registry;
}

let shared: KernelBackendRegistry | undefined;

function sharedRegistry(): KernelBackendRegistry {
  shared ??= createKernelRegistry();
  return shared;
}

export interface KernelOptions {
  /** Backends to try in order; default: all, by priority (`js` first). */
  readonly backend?: KernelBackendName | readonly KernelBackendName[];
}

function order(options: KernelOptions): readonly string[] | undefined {
  if (options.backend === undefined) return undefined;
  return typeof options.backend === 'string' ? [options.backend] : options.backend;
}

/** Resolves a backend from the shared registry (first that starts). */
export function resolveKernelBackend(options: KernelOptions = {}): Promise<KernelBackend> {
  return sharedRegistry().resolve(order(options));
}

/** I-MoF token order: [B, N, H] x2 -> [B, 2N, H] = c0, d0, c1, d1, ... */
export async function interleave(a: Tensor, b: Tensor, options: KernelOptions = {}): Promise<Tensor> {
  return (await resolveKernelBackend(options)).interleave(a, b);
}

/** A-MoF mix: `(1 - r) * a + r * b`, [B, N, D] x2 -> [B, N, D]. */
export async function additiveMix(a: Tensor, b: Tensor, ratio: number, options: KernelOptions = {}): Promise<Tensor> {
  return (await resolveKernelBackend(options)).additiveMix(a, b, ratio);
}
