import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ModelLoadError, type Tensor } from '@mmvp/core';
import { checkInterleaveArguments, checkMixArguments, outputArray } from './kernel-arguments';
import type { KernelBackend } from './kernel-backend';

/** gpu.js modes: `gpu` (auto: headlessgl/webgl2/webgl, else webasm, else cpu) or a forced one. */
export type GpuJsMode = 'gpu' | 'cpu' | 'headlessgl' | 'webgl' | 'webgl2' | 'webasm' | 'webgpu';

/** Options of the gpu.js backend: which gpu.js mode to ask for. */
export interface GpuJsBackendOptions {
  /** Default 'gpu' (gpu.js picks the best backend that works here). */
  readonly mode?: GpuJsMode;
}

// Minimal structural view of the gpu.js API we use (its own .d.ts is loose about kernel outputs).
interface GpuJsKernel {
  (...args: unknown[]): unknown;
  setOutput(output: number[]): GpuJsKernel;
  kernel?: { constructor: { mode?: string; name?: string } };
  destroy?(): void;
}
interface GpuJsInstance {
  readonly mode: string;
  createKernel(fn: (...args: never[]) => number, settings?: Record<string, unknown>): GpuJsKernel;
  destroy(): void | Promise<void>;
}

// Float32 index arithmetic on GL/wasm is exact below 2^24; keep each kernel call far below that.
const maxCellsPerCall = 1 << 22;

/**
 * gpu.js's WebGPU backend looks for `navigator.gpu`, which Node 20 lacks. gpu.js depends on the
 * `webgpu` package (Dawn's Node bindings); install its `navigator.gpu` so mode 'webgpu' can run.
 */
async function provideNodeWebGpu(): Promise<void> {
  const scope = globalThis as { navigator?: { gpu?: unknown } };
  if (scope.navigator?.gpu) return;
  let module: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
  try {
    const fromGpuJs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
    module = await import(pathToFileURL(fromGpuJs.resolve('webgpu')).href);
  } catch {
    const packageName = 'webgpu'; // a variable, so bundlers leave this optional import alone
    module = await import(packageName);
  }
  Object.assign(globalThis, module.globals);
  if (scope.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  scope.navigator!.gpu = module.create([]);
}

/**
 * Token kernels written as gpu.js kernels. In Node without a WebGL context (headless-gl's native
 * module `gl` is optional and not built here) gpu.js runs them with its WebAssembly backend; the
 * mode that actually ran is in `description` and `mode`.
 */
export async function createGpuJsBackend(options: GpuJsBackendOptions = {}): Promise<KernelBackend & { readonly mode: string }> {
  let gpuModule: { GPU: new (settings?: Record<string, unknown>) => GpuJsInstance };
  try {
    const imported = (await import('gpu.js')) as unknown as { GPU?: unknown; default?: { GPU?: unknown } };
    const GPU = imported.GPU ?? imported.default?.GPU;
    if (typeof GPU !== 'function') throw new Error('the module has no GPU export');
    gpuModule = { GPU: GPU as new (settings?: Record<string, unknown>) => GpuJsInstance };
  } catch (cause) {
    throw new ModelLoadError(`gpu.js cannot be loaded: ${(cause as Error).message}`, { cause });
  }
  if (options.mode === 'webgpu') {
    try {
      await provideNodeWebGpu();
    } catch (cause) {
      throw new ModelLoadError(`gpu.js mode 'webgpu' needs WebGPU (navigator.gpu or the 'webgpu' package): ${(cause as Error).message}`, { cause });
    }
  }
  let gpu: GpuJsInstance;
  try {
    gpu = new gpuModule.GPU(options.mode === undefined ? {} : { mode: options.mode });
  } catch (cause) {
    throw new ModelLoadError(`gpu.js cannot start in mode '${options.mode ?? 'gpu'}': ${(cause as Error).message}`, { cause });
  }

  const interleaveKernels = new Map<string, GpuJsKernel>();
  const mixKernels = new Map<string, GpuJsKernel>();
  let ranMode: string = gpu.mode;

  const interleaveKernel = (rows: number, width: number): GpuJsKernel => {
    const key = `${rows}x${width}`;
    let kernel = interleaveKernels.get(key);
    if (kernel === undefined) {
      // Output [2N rows][H cols]: row t takes token floor(t/2) of a (t even) or b (t odd).
      kernel = gpu
        .createKernel(
          function (this: { thread: { x: number; y: number } }, a: number[], b: number[], h: number) {
            const t = this.thread.y;
            const j = Math.floor(t / 2);
            if (t % 2 === 0) {
              return a[j * h + this.thread.x]!;
            }
            return b[j * h + this.thread.x]!;
          } as unknown as (...args: never[]) => number,
          { tactic: 'precision', precision: 'single' },
        )
        .setOutput([width, rows]);
      interleaveKernels.set(key, kernel);
    }
    return kernel;
  };

  const mixKernel = (rows: number, width: number): GpuJsKernel => {
    const key = `${rows}x${width}`;
    let kernel = mixKernels.get(key);
    if (kernel === undefined) {
      kernel = gpu
        .createKernel(
          function (this: { thread: { x: number; y: number } }, a: number[], b: number[], keep: number, take: number, h: number) {
            const i = this.thread.y * h + this.thread.x;
            return keep * a[i]! + take * b[i]!;
          } as unknown as (...args: never[]) => number,
          { tactic: 'precision', precision: 'single' },
        )
        .setOutput([width, rows]);
      mixKernels.set(key, kernel);
    }
    return kernel;
  };

  const noteMode = (kernel: GpuJsKernel): void => {
    const mode = kernel.kernel?.constructor.mode;
    if (typeof mode === 'string') ranMode = mode;
  };

  const copyRows = (result: unknown, out: Float32Array, offset: number, width: number): void => {
    const rows = result as ArrayLike<Float32Array>;
    for (let r = 0; r < rows.length; r++) out.set(rows[r]!.subarray(0, width), offset + r * width);
  };

  const backend = {
    name: 'gpujs',
    get mode(): string {
      return ranMode;
    },
    get description(): string {
      return `gpu.js mode '${ranMode}'`;
    },
    async interleave(a: Tensor, b: Tensor, into?: Float32Array): Promise<Tensor> {
      const [batch, tokens, width] = checkInterleaveArguments(a, b);
      const out = outputArray(into, 2 * a.data.length); // [B, 2N, H]
      // Split each batch item into token chunks so one call stays below maxCellsPerCall outputs.
      const chunkTokens = Math.max(1, Math.min(tokens, Math.floor(maxCellsPerCall / (2 * Math.max(1, width)))));
      for (let item = 0; item < batch; item++) {
        for (let start = 0; start < tokens; start += chunkTokens) {
          const count = Math.min(chunkTokens, tokens - start);
          const from = (item * tokens + start) * width;
          const kernel = interleaveKernel(2 * count, width);
          // WebGPU kernels return a Promise of the result; the other modes return it directly.
          const result = await kernel(a.data.subarray(from, from + count * width), b.data.subarray(from, from + count * width), width);
          noteMode(kernel);
          copyRows(result, out, 2 * from, width);
        }
      }
      return { data: out, dims: [batch, 2 * tokens, width] };
    },
    async additiveMix(a: Tensor, b: Tensor, ratio: number, into?: Float32Array): Promise<Tensor> {
      checkMixArguments(a, b, ratio);
      const width = a.dims.length > 0 ? a.dims[a.dims.length - 1]! : 1;
      const rows = width === 0 ? 0 : a.data.length / width;
      const out = outputArray(into, a.data.length);
      const chunkRows = Math.max(1, Math.min(rows, Math.floor(maxCellsPerCall / Math.max(1, width))));
      const keep = Math.fround(1 - ratio);
      const take = Math.fround(ratio);
      for (let start = 0; start < rows; start += chunkRows) {
        const count = Math.min(chunkRows, rows - start);
        const from = start * width;
        const kernel = mixKernel(count, width);
        const result = await kernel(a.data.subarray(from, from + count * width), b.data.subarray(from, from + count * width), keep, take, width);
        noteMode(kernel);
        copyRows(result, out, from, width);
      }
      return { data: out, dims: [...a.dims] };
    },
    async dispose(): Promise<void> {
      await gpu.destroy();
    },
  };
  return backend;
}
