/**
 * The GPU check of issue 19, run once on a machine with a GPU (tools/gpu-check.sh runs it, then the
 * kernel benchmark per execution provider). Prints, per onnxruntime execution provider and per
 * gpu.js mode: whether it started (and why not), whether its kernels agree with the js kernels on
 * [1, 576, 5120] data (interleave exact; mix exact on the CPU, within 2^-23 of the terms' magnitude
 * on a GPU), the mode gpu.js really ran, and the CLIP vision encoder's images/s on that EP (tiny-clip,
 * plus MMVP_GPU_CHECK_MODEL=<a CLIP model folder> when given) with its largest difference from the
 * CPU EP's tapped features.
 *
 *   pnpm --filter @mmvp/benchmarks exec tsx src/gpu-check.ts
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '@mmvp/core';
import { createClipVisionEncoder } from '@mmvp/encoder-clip';
import { createGpuJsBackend, createJsBackend, createOrtBackend, createWasmBackend, describeOrtExecutionProviders, type GpuJsMode, type KernelBackend, type KernelDevice } from '@mmvp/kernels';
import { releaseSessions } from '@mmvp/onnx';
import { measure, printTable } from './timing';

const root = fileURLToPath(new URL('../../', import.meta.url));
const devices: KernelDevice[] = ['cpu', 'webgpu', 'cuda'];

function filled(length: number, seed: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = (((i * 2654435761 + seed) % 2000) - 1000) / 997;
  return data;
}

function machine(): string {
  let gpus = 'nvidia-smi: not found';
  try {
    gpus = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' }).trim();
  } catch {}
  return `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; GPU: ${gpus}; node ${process.version}; onnxruntime-node EPs: ${describeOrtExecutionProviders()}`;
}

/** Agreement of one backend with js: interleave bit-exact, the mix's worst error relative to its terms. */
async function agreement(backend: KernelBackend, a: Tensor, b: Tensor): Promise<{ interleaveExact: boolean; mixExact: boolean; mixWorstRelative: number }> {
  const js = createJsBackend();
  const interleaved = await backend.interleave(a, b);
  const reference = await js.interleave(a, b);
  const interleaveExact = interleaved.data.every((v, i) => Object.is(v, reference.data[i]));
  let mixExact = true;
  let mixWorstRelative = 0;
  for (const ratio of [0.25, 0.75]) {
    const mixed = await backend.additiveMix(a, b, ratio);
    const expected = await js.additiveMix(a, b, ratio);
    const keep = Math.fround(1 - ratio);
    for (let i = 0; i < mixed.data.length; i++) {
      if (Object.is(mixed.data[i], expected.data[i])) continue;
      mixExact = false;
      const scale = Math.abs(keep * a.data[i]!) + Math.abs(ratio * b.data[i]!) || 1;
      mixWorstRelative = Math.max(mixWorstRelative, Math.abs(mixed.data[i]! - expected.data[i]!) / scale);
    }
  }
  return { interleaveExact, mixExact, mixWorstRelative };
}

export default async function run(): Promise<void> {
  console.log(machine());
  const dims = [1, 576, 5120];
  const a = { data: filled(576 * 5120, 1), dims };
  const b = { data: filled(576 * 5120, 2), dims };

  const kernelRows: Record<string, string | number>[] = [];
  const candidates: [string, () => Promise<KernelBackend>][] = [
    ['wasm', async () => createWasmBackend()],
    ...devices.map((device): [string, () => Promise<KernelBackend>] => [`ort ${device}`, () => createOrtBackend({ executionProvider: device })]),
    ...(['gpu', 'webgpu', 'headlessgl', 'webgl2'] as GpuJsMode[]).map((mode): [string, () => Promise<KernelBackend>] => [`gpujs ${mode}`, () => createGpuJsBackend({ mode })]),
  ];
  for (const [label, create] of candidates) {
    try {
      const backend = await create();
      const result = await agreement(backend, a, b);
      kernelRows.push({
        backend: label,
        'ran as': backend.description,
        'interleave = js': String(result.interleaveExact),
        'mix = js': result.mixExact ? 'bit-identical' : `worst ${result.mixWorstRelative.toExponential(2)} of |terms|`,
      });
      await backend.dispose();
    } catch (error) {
      kernelRows.push({ backend: label, 'ran as': `did not start: ${(error as Error).message.replace(/\s+/g, ' ').slice(0, 200)}`, 'interleave = js': '-', 'mix = js': '-' });
    }
  }
  console.log('\nKernels on [1, 576, 5120] against js:');
  printTable(kernelRows);

  const models = [join(root, 'models', 'tiny-clip'), ...(process.env.MMVP_GPU_CHECK_MODEL ? [process.env.MMVP_GPU_CHECK_MODEL] : [])];
  const encoderRows: Record<string, string | number>[] = [];
  for (const modelPath of models) {
    let cpuFeatures: Tensor | undefined;
    for (const device of devices) {
      try {
        const encoder = await createClipVisionEncoder({ modelPath, executionProvider: device, batchSize: 8 });
        const size = encoder.imageSize;
        const pixels = { data: filled(8 * 3 * size[0] * size[1], 3), dims: [8, 3, size[0], size[1]] };
        const encode = () => encoder.encodePixels(pixels, { tap: { kind: 'layer', layer: -2 }, tokens: 'patch' });
        const features = await encode(); // [8, N, D]
        cpuFeatures ??= device === 'cpu' ? features : undefined;
        let worst = 0;
        if (cpuFeatures !== undefined) for (let i = 0; i < features.data.length; i++) worst = Math.max(worst, Math.abs(features.data[i]! - cpuFeatures.data[i]!));
        const timing = await measure(encode, { minSeconds: 3, warmup: 2, minIterations: 5 });
        encoderRows.push({ model: modelPath, EP: device, 'images/s': 8 * timing.perSecond, 'max |diff| vs cpu EP': cpuFeatures ? worst : 'no cpu run' });
        await encoder.dispose();
      } catch (error) {
        encoderRows.push({ model: modelPath, EP: device, 'images/s': `did not start: ${(error as Error).message.replace(/\s+/g, ' ').slice(0, 160)}`, 'max |diff| vs cpu EP': '-' });
      }
      await releaseSessions();
    }
  }
  console.log('\nCLIP vision encoder (tap layer -2, patch tokens, batch 8) per execution provider:');
  printTable(encoderRows);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();
