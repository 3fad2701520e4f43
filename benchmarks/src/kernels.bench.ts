/**
 * Token kernels (I-MoF interleave, A-MoF additive mix) on LLaVA-1.5-13B-sized token sets at 336 px:
 * [1, 576, 5120] and [8, 576, 5120] float32, each backend against a plain Float32Array.prototype.set
 * copy of the same number of output bytes (the memory-bandwidth limit of this machine).
 * GB/s counts output bytes written per second (the copy reads as many bytes as it writes; interleave
 * reads 2 inputs of half the output each; the mix reads twice the bytes it writes).
 * Environment: MMVP_BENCH_EP=webgpu|cuda runs the `ort` backend on that execution provider (default
 * cpu); MMVP_GPUJS_MODE forces a gpu.js mode (default: gpu.js picks; the mode that ran is printed).
 */
import { additiveMixJs, createGpuJsBackend, createJsBackend, createOrtBackend, interleaveJs, type GpuJsMode, type KernelBackend } from '@mmvp/kernels';
import { measure, printTable } from './timing';

function filled(length: number, seed: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = ((i * 2654435761 + seed) % 1000) / 1000;
  return data;
}

export default async function run(): Promise<void> {
  const provider = (process.env.MMVP_BENCH_EP ?? 'cpu') as 'cpu' | 'webgpu' | 'cuda';
  const backends: KernelBackend[] = [createJsBackend()];
  for (const [name, create] of [
    ['ort', () => createOrtBackend({ executionProvider: provider })],
    ['gpujs', () => createGpuJsBackend(process.env.MMVP_GPUJS_MODE ? { mode: process.env.MMVP_GPUJS_MODE as GpuJsMode } : {})],
  ] as const) {
    try {
      backends.push(await create());
    } catch (error) {
      console.log(`backend ${name} unavailable: ${(error as Error).message}`);
    }
  }
  const rows: Record<string, string | number>[] = [];
  for (const batch of [1, 8]) {
    const dims = [batch, 576, 5120];
    const count = batch * 576 * 5120;
    const a = { data: filled(count, 1), dims };
    const b = { data: filled(count, 2), dims };
    const minSeconds = batch === 1 ? 1.5 : 2;
    for (const [operation, outputCount] of [
      ['interleave', 2 * count],
      ['additive mix', count],
    ] as const) {
      const bytes = outputCount * 4;
      // Baseline: one set() of the same number of output floats into a preallocated array, and the
      // same with a fresh allocation per call (as the kernels allocate their output).
      const source = operation === 'interleave' ? filled(outputCount, 3) : a.data;
      const target = new Float32Array(outputCount);
      const copy = await measure(() => target.set(source), { minSeconds });
      const copyGBs = (bytes * copy.perSecond) / 1e9;
      const fresh = await measure(() => new Float32Array(outputCount).set(source), { minSeconds });
      rows.push({ shape: `[${dims.join(', ')}]`, operation, backend: 'set() copy, preallocated', 'ms/call': 1000 / copy.perSecond, 'GB/s': copyGBs, 'vs copy': 1 });
      rows.push({ shape: `[${dims.join(', ')}]`, operation, backend: 'set() copy, new array', 'ms/call': 1000 / fresh.perSecond, 'GB/s': (bytes * fresh.perSecond) / 1e9, 'vs copy': (bytes * fresh.perSecond) / 1e9 / copyGBs });
      // The js kernel writing into a reused output array (no allocation, pages already touched).
      const reused = new Float32Array(outputCount);
      const into = await measure(() => (operation === 'interleave' ? interleaveJs(a, b, reused) : additiveMixJs(a, b, 0.75, reused)), { minSeconds });
      const intoGBs = (bytes * into.perSecond) / 1e9;
      rows.push({ shape: `[${dims.join(', ')}]`, operation, backend: 'js into a reused output', 'ms/call': 1000 / into.perSecond, 'GB/s': intoGBs, 'vs copy': intoGBs / copyGBs });
      for (const backend of backends) {
        const call = operation === 'interleave' ? () => backend.interleave(a, b) : () => backend.additiveMix(a, b, 0.75);
        const timing = await measure(call, { minSeconds, warmup: 1, minIterations: 2 });
        const gbs = (bytes * timing.perSecond) / 1e9;
        rows.push({ shape: `[${dims.join(', ')}]`, operation, backend: `${backend.name} (${backend.description})`, 'ms/call': 1000 / timing.perSecond, 'GB/s': gbs, 'vs copy': gbs / copyGBs });
      }
    }
  }
  printTable(rows);
  for (const backend of backends) await backend.dispose();
}
