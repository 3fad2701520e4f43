import type { Tensor } from '@mmvp/core';
import { KernelBackendRegistry } from './backend-registry';
import { createGpuJsBackend } from './gpujs-backend';
import { createJsBackend } from './js-backend';
import type { KernelBackend, KernelBackendName, KernelDevice } from './kernel-backend';
import { createOrtBackend } from './ort-backend';
import { createWasmBackend } from './wasm-backend';

/** Options of the default registry. */
export interface KernelRegistryOptions {
  /** Execution provider of the `ort` backend (default 'cpu'); the other backends run on the CPU. */
  readonly executionProvider?: KernelDevice;
}

/**
 * A registry holding the four shipped backends, in this fallback order (measured, README):
 * `wasm` (WebAssembly SIMD, the fastest on a CPU), `js` (plain typed arrays, always works), `ort`
 * (onnxruntime-node on the chosen execution provider: the only one that can run on a GPU) and
 * `gpujs` (in Node without a WebGL context it runs on the CPU, as WebAssembly). Ask for 'ort' or
 * 'gpujs' by name: `registry.resolve(['ort'])`.
 */
export function createKernelRegistry(options: KernelRegistryOptions = {}): KernelBackendRegistry {
  const device = options.executionProvider ?? 'cpu';
  const registry = new KernelBackendRegistry();
  registry.register('wasm', () => createWasmBackend(), 110, 'WebAssembly SIMD on the CPU, main thread');
  registry.register('js', () => createJsBackend(), 100, 'JavaScript typed arrays on the CPU, main thread');
  registry.register('ort', () => createOrtBackend({ executionProvider: device }), 50, `onnxruntime-node graphs on execution provider '${device}'${device === 'cpu' ? '' : ' (a GPU)'}`);
  registry.register('gpujs', () => createGpuJsBackend(), 10, 'gpu.js: a WebGL GPU when Node has a context, else its WebAssembly CPU mode');
  return registry;
}

const shared = new Map<KernelDevice, KernelBackendRegistry>();

function sharedRegistry(device: KernelDevice): KernelBackendRegistry {
  let registry = shared.get(device);
  if (registry === undefined) {
    registry = createKernelRegistry({ executionProvider: device });
    shared.set(device, registry);
  }
  return registry;
}

/** Which kernel backend to use: names to try in order, and the `ort` backend's execution provider. */
export interface KernelOptions {
  /** Backends to try in order; default: all, by priority (`wasm`, `js`, `ort`, `gpujs`). */
  readonly backend?: KernelBackendName | readonly KernelBackendName[];
  /** Execution provider of the `ort` backend (default 'cpu'). */
  readonly executionProvider?: KernelDevice;
}

function order(options: KernelOptions): readonly string[] | undefined {
  if (options.backend === undefined) return undefined;
  return typeof options.backend === 'string' ? [options.backend] : options.backend;
}

/** Resolves a backend from the shared registry (first that starts). */
export function resolveKernelBackend(options: KernelOptions = {}): Promise<KernelBackend> {
  return sharedRegistry(options.executionProvider ?? 'cpu').resolve(order(options));
}

/** One line naming the resolved backend and where it runs, for the "resolved" lines a command prints. */
export function describeKernelBackend(backend: KernelBackend): string {
  return `kernels: ${backend.name} (${backend.description})`;
}

/** I-MoF token order: [B, N, H] x2 -> [B, 2N, H] = c0, d0, c1, d1, ... */
export async function interleave(a: Tensor, b: Tensor, options: KernelOptions = {}): Promise<Tensor> {
  return (await resolveKernelBackend(options)).interleave(a, b);
}

/** A-MoF mix: `(1 - r) * a + r * b`, [B, N, D] x2 -> [B, N, D]. */
export async function additiveMix(a: Tensor, b: Tensor, ratio: number, options: KernelOptions = {}): Promise<Tensor> {
  return (await resolveKernelBackend(options)).additiveMix(a, b, ratio);
}
