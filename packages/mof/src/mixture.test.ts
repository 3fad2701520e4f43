import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError, readNpyFloat32, type Tensor } from '@mmvp/core';
import { loadAdapter, type Adapter } from '@mmvp/adapters';
import { createMixture, resampleTokenGrid } from './index';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fixture = (name: string): string => join(fixtures, name);
const read = (name: string): Promise<Tensor> => readNpyFloat32(fixture(name));

function maxAbsDifference(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

async function adapters(runtime: 'js' | 'ort'): Promise<{ clip: Adapter; dino: Adapter; additive: Adapter }> {
  const weightsPath = fixture('projectors.safetensors');
  const clip = await loadAdapter({ type: 'mlp2x_gelu', weightsPath, prefix: 'model.mm_projector', runtime, inputSize: 24, hiddenSize: 40 });
  const dino = await loadAdapter({ type: 'mlp2x_gelu', weightsPath, prefix: 'model.dino_mm_projector', runtime, inputSize: 24, hiddenSize: 40 });
  return { clip, dino, additive: clip };
}

describe('mixture strategies against PyTorch (LLaVA mm_projector / dino_mm_projector)', () => {
  for (const [runtime, backend] of [
    ['js', 'js'],
    ['js', 'wasm'],
    ['ort', 'ort'],
    ['js', 'gpujs'],
  ] as const) {
    it(`clip, dino, additive r = 0, 0.25, 0.75, 1 and interleaved (adapters ${runtime}, kernels ${backend})`, async () => {
      const features = { clip: await read('clip_features.npy'), dino: await read('dino_features.npy') }; // [2, 16, 24]
      const roles = await adapters(runtime);
      const kernels = { backend } as const;
      const cases: [string, ReturnType<typeof createMixture>][] = [
        ['tokens_clip.npy', createMixture({ strategy: 'clip', adapters: roles, kernels })],
        ['tokens_dino.npy', createMixture({ strategy: 'dino', adapters: roles, kernels })],
        ['tokens_interleaved.npy', createMixture({ strategy: 'interleaved', adapters: roles, kernels })],
        ...([0, 0.25, 0.75, 1] as const).map(
          (r) =>
            [`tokens_additive_${String(r.toFixed(2)).replace(/0$/, '').replace('.', '_')}.npy`, createMixture({ strategy: 'additive', dinoRatio: r, adapters: roles, kernels })] as [
              string,
              ReturnType<typeof createMixture>,
            ],
        ),
      ];
      for (const [file, mixture] of cases) {
        const tokens = await mixture.mix(features);
        const difference = maxAbsDifference(tokens, await read(file));
        expect(difference, file).toBeLessThan(1e-4);
      }
    });
  }

  it('sweep reuses the same features and matches the one-ratio mixes', async () => {
    const features = { clip: await read('clip_features.npy'), dino: await read('dino_features.npy') };
    const roles = await adapters('js');
    const sweep = await createMixture({ strategy: 'additive', dinoRatio: 0.5, adapters: roles }).sweep(features, [0, 0.25, 0.75, 1]);
    expect(sweep.map((s) => s.dinoRatio)).toEqual([0, 0.25, 0.75, 1]);
    const files = ['tokens_additive_0_0.npy', 'tokens_additive_0_25.npy', 'tokens_additive_0_75.npy', 'tokens_additive_1_0.npy'];
    for (const [i, file] of files.entries()) expect(maxAbsDifference(sweep[i]!.tokens, await read(file))).toBeLessThan(1e-4);
  });

  it('interleaved output has 2N tokens with CLIP tokens at even and DINOv2 tokens at odd positions', async () => {
    const features = { clip: await read('clip_features.npy'), dino: await read('dino_features.npy') };
    const roles = await adapters('js');
    const mixture = createMixture({ strategy: 'interleaved', adapters: roles });
    expect(mixture.tokenCount(16)).toBe(32);
    const tokens = await mixture.mix(features);
    expect(tokens.dims).toEqual([2, 32, 40]);
    const clipOnly = await createMixture({ strategy: 'clip', adapters: roles }).mix(features);
    const dinoOnly = await createMixture({ strategy: 'dino', adapters: roles }).mix(features);
    // token 5 of image 1: position 2*5 is c5, 2*5+1 is d5
    expect(Array.from(tokens.data.subarray((32 + 10) * 40, (32 + 11) * 40))).toEqual(Array.from(clipOnly.data.subarray((16 + 5) * 40, (16 + 6) * 40)));
    expect(Array.from(tokens.data.subarray((32 + 11) * 40, (32 + 12) * 40))).toEqual(Array.from(dinoOnly.data.subarray((16 + 5) * 40, (16 + 6) * 40)));
  });
});

describe('token-grid resampling', () => {
  it('matches F.interpolate(bilinear, align_corners=False) upsampling 3x3 -> 4x4 and downsampling 5x7 -> 3x4', async () => {
    const up = resampleTokenGrid(await read('grid3_features.npy'), [3, 3], [4, 4]);
    expect(maxAbsDifference(up, await read('grid3_to_4.npy'))).toBeLessThan(1e-5);
    const down = resampleTokenGrid(await read('grid5x7_features.npy'), [5, 7], [3, 4]);
    expect(maxAbsDifference(down, await read('grid5x7_to_3x4.npy'))).toBeLessThan(1e-5);
  });

  it('mixes grids of different sizes only when asked to resample', async () => {
    const clip = await read('clip_features.npy'); // 4x4
    const dino = await read('grid3_features.npy'); // 3x3
    const roles = await adapters('js');
    const strict = createMixture({ strategy: 'interleaved', adapters: roles });
    await expect(strict.mix({ clip, dino })).rejects.toThrow(ShapeMismatchError);
    await expect(strict.mix({ clip, dino, clipGrid: [4, 4], dinoGrid: [3, 3] })).rejects.toThrow(/CLIP gives 16 tokens \(4x4\), DINOv2 9 tokens \(3x3\).*resampleTokenGrid: 'bilinear'/);
    const resampled = createMixture({ strategy: 'interleaved', adapters: roles, resampleTokenGrid: 'bilinear' });
    const tokens = await resampled.mix({ clip, dino });
    expect(tokens.dims).toEqual([2, 32, 40]);
    // The DINOv2 half equals dino_mm_projector applied to the PyTorch-resampled grid.
    const dinoTokens = await roles.dino.project(await read('grid3_to_4.npy'));
    let max = 0;
    for (let t = 0; t < 2 * 16; t++) {
      for (let h = 0; h < 40; h++) max = Math.max(max, Math.abs(tokens.data[(2 * t + 1) * 40 + h]! - dinoTokens.data[t * 40 + h]!));
    }
    expect(max).toBeLessThan(1e-4);
  });
});

describe('mixture bad input', () => {
  it('rejects unknown strategies and ratios outside [0, 1]', async () => {
    const roles = await adapters('js');
    expect(() => createMixture({ strategy: 'concat' as never, adapters: roles })).toThrow(/unknown mixture strategy 'concat'; valid choices: 'clip', 'dino', 'additive' or 'interleaved'/);
    expect(() => createMixture({ strategy: 'additive', dinoRatio: 1.25, adapters: roles })).toThrow(/dinoRatio must be a number in \[0, 1\], got 1.25/);
    expect(() => createMixture({ strategy: 'additive', dinoRatio: -0.1, adapters: roles })).toThrow(InvalidArgumentError);
    expect(() => createMixture({ strategy: 'additive', adapters: roles })).toThrow(/needs dinoRatio/);
    const features = { clip: await read('clip_features.npy'), dino: await read('dino_features.npy') };
    await expect(createMixture({ strategy: 'additive', dinoRatio: 0.5, adapters: roles }).sweep(features, [0.5, 2])).rejects.toThrow(/got 2/);
    expect(() => createMixture({ strategy: 'additive', dinoRatio: 0.5, adapters: roles, resampleTokenGrid: 'nearest' as never })).toThrow(/'none' or 'bilinear'/);
  });

  it('names missing adapters, missing features, and unequal widths or batches', async () => {
    const roles = await adapters('js');
    expect(() => createMixture({ strategy: 'interleaved', adapters: { clip: roles.clip } })).toThrow(/needs the 'dino' adapter/);
    const clip = await read('clip_features.npy');
    await expect(createMixture({ strategy: 'interleaved', adapters: roles }).mix({ clip })).rejects.toThrow(/needs DINOv2 features/);
    const narrow: Tensor = { data: new Float32Array(2 * 16 * 8), dims: [2, 16, 8] };
    await expect(createMixture({ strategy: 'additive', dinoRatio: 0.5, adapters: roles }).mix({ clip, dino: narrow })).rejects.toThrow(
      /additive mixing needs equal feature widths, but CLIP features are \[2, 16, 24\] and DINOv2 features \[2, 16, 8\]/,
    );
    const oneImage: Tensor = { data: clip.data.subarray(0, 16 * 24), dims: [1, 16, 24] };
    await expect(createMixture({ strategy: 'interleaved', adapters: roles }).mix({ clip, dino: oneImage })).rejects.toThrow(/different batch sizes/);
  });
});
