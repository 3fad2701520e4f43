import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileFormatError, InvalidArgumentError, NumericError, ShapeMismatchError, encodeSafetensors, readNpyFloat32, readSafetensors, type Tensor } from '@mmvp/core';
import { erf, geluInPlace, loadAdapter, readAdapterWeights } from './index';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fixture = (name: string): string => join(fixtures, name);

function maxAbsDifference(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

async function writeTensors(tensors: Record<string, Tensor>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mmvp-adapters-'));
  const path = join(dir, 'weights.safetensors');
  await writeFile(path, encodeSafetensors(new Map(Object.entries(tensors))));
  return path;
}

describe('GELU', () => {
  it('matches torch nn.GELU() (exact erf form) on [-8, 8]', async () => {
    const x = await readNpyFloat32(fixture('gelu_x.npy'));
    const expected = await readNpyFloat32(fixture('gelu_y.npy'));
    const y = Float32Array.from(x.data);
    geluInPlace(y);
    expect(maxAbsDifference({ data: y, dims: x.dims }, expected)).toBeLessThan(2e-6);
    // erf against Python's math.erf (computed independently): erf(0.5), erf(-1.5), erf(3).
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 6);
    expect(erf(-1.5)).toBeCloseTo(-0.9661051464753108, 6);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 6);
  });
});

describe('loadAdapter against PyTorch', () => {
  for (const runtime of ['js', 'ort'] as const) {
    it(`linear (LLaVA name model.mm_projector.weight) and mlp2x_gelu (bare names) on runtime ${runtime}`, async () => {
      const features = await readNpyFloat32(fixture('features.npy')); // [2, 5, 24]
      const linear = await loadAdapter({ type: 'linear', weightsPath: fixture('linear_llava.safetensors'), runtime, inputSize: 24, hiddenSize: 40 });
      expect([linear.inputSize, linear.outputSize]).toEqual([24, 40]);
      const linearOut = await linear.project(features);
      expect(maxAbsDifference(linearOut, await readNpyFloat32(fixture('linear_out.npy')))).toBeLessThan(1e-5);
      const mlp = await loadAdapter({ type: 'mlp2x_gelu', weightsPath: fixture('mlp2x_gelu_bare.safetensors'), runtime });
      const mlpOut = await mlp.project(features);
      expect(mlpOut.dims).toEqual([2, 5, 40]);
      expect(maxAbsDifference(mlpOut, await readNpyFloat32(fixture('mlp2x_gelu_out.npy')))).toBeLessThan(1e-5);
      await linear.dispose();
      await mlp.dispose();
    });
  }

  it('finds LLaVA-named tensors of a file holding both projectors only with an explicit prefix', async () => {
    const bare = await readSafetensors(fixture('mlp2x_gelu_bare.safetensors'));
    const both: Record<string, Tensor> = {};
    for (const [name, t] of bare) {
      both[`model.mm_projector.${name}`] = t;
      both[`model.dino_mm_projector.${name}`] = t;
    }
    const path = await writeTensors(both);
    await expect(readAdapterWeights(path, 'mlp2x_gelu')).rejects.toThrow(/several adapters \(prefixes 'model.mm_projector' or 'model.dino_mm_projector'\)/);
    const dino = await readAdapterWeights(path, 'mlp2x_gelu', { prefix: 'model.dino_mm_projector' });
    expect(dino.source).toMatch(/prefix 'model.dino_mm_projector'/);
    const adapter = await loadAdapter({ type: 'mlp2x_gelu', weightsPath: path, prefix: 'model.dino_mm_projector', runtime: 'js' });
    const out = await adapter.project(await readNpyFloat32(fixture('features.npy')));
    expect(maxAbsDifference(out, await readNpyFloat32(fixture('mlp2x_gelu_out.npy')))).toBeLessThan(1e-5);
  });

  it('handles rows that are not a multiple of the 4-row tile and 2-D features', async () => {
    const features = await readNpyFloat32(fixture('features.npy')); // [2, 5, 24]
    const js = await loadAdapter({ type: 'mlp2x_gelu', weightsPath: fixture('mlp2x_gelu_bare.safetensors'), runtime: 'js' });
    const expected = await readNpyFloat32(fixture('mlp2x_gelu_out.npy'));
    const firstRows: Tensor = { data: features.data.subarray(0, 7 * 24), dims: [7, 24] }; // 7 rows
    const out = await js.project(firstRows);
    expect(out.dims).toEqual([7, 40]);
    expect(maxAbsDifference(out, { data: expected.data.subarray(0, 7 * 40), dims: [7, 40] })).toBeLessThan(1e-5);
  });
});

describe('adapter bad input', () => {
  it('names encoder width, adapter input width and LLM hidden size on a shape mismatch', async () => {
    await expect(loadAdapter({ type: 'mlp2x_gelu', weightsPath: fixture('mlp2x_gelu_bare.safetensors'), inputSize: 1024 })).rejects.toThrow(/encoder width 1024, adapter input width 24, LLM hidden size \(not given\)/);
    await expect(loadAdapter({ type: 'mlp2x_gelu', weightsPath: fixture('mlp2x_gelu_bare.safetensors'), inputSize: 24, hiddenSize: 4096 })).rejects.toThrow(
      /encoder width 24, adapter input width 24, LLM hidden size 4096 \(adapter output 40\)/,
    );
    const adapter = await loadAdapter({ type: 'linear', weightsPath: fixture('linear_llava.safetensors'), runtime: 'js' });
    await expect(adapter.project({ data: new Float32Array(2 * 32), dims: [1, 2, 32] })).rejects.toThrow(ShapeMismatchError);
    await expect(adapter.project({ data: new Float32Array(2 * 32), dims: [1, 2, 32] })).rejects.toThrow(/encoder width 32, adapter input width 24, LLM hidden size 40/);
  });

  it('rejects weights of the wrong shape (second layer not [H, H], bias of the wrong length)', async () => {
    const bare = await readSafetensors(fixture('mlp2x_gelu_bare.safetensors'));
    const wrong = Object.fromEntries(bare);
    wrong['2.weight'] = { data: new Float32Array(40 * 30), dims: [40, 30] };
    const path = await writeTensors(wrong);
    await expect(loadAdapter({ type: 'mlp2x_gelu', weightsPath: path })).rejects.toThrow(/'2.weight' has shape \[40, 30\], expected \[40, 40\]/);
    const badBias = Object.fromEntries(bare);
    badBias['0.bias'] = { data: new Float32Array(39), dims: [39] };
    await expect(loadAdapter({ type: 'mlp2x_gelu', weightsPath: await writeTensors(badBias) })).rejects.toThrow(/'0.bias' has shape \[39\], expected \[40\]/);
  });

  it('names the missing tensor and the file', async () => {
    const bare = Object.fromEntries(await readSafetensors(fixture('mlp2x_gelu_bare.safetensors')));
    delete bare['2.bias'];
    const path = await writeTensors(bare);
    const error = await loadAdapter({ type: 'mlp2x_gelu', weightsPath: path }).catch((e: unknown) => e);
    expect(FileFormatError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/missing tensor '2.bias' of the mlp2x_gelu adapter/);
    await expect(loadAdapter({ type: 'mlp2x_gelu', weightsPath: fixture('mlp2x_gelu_bare.safetensors'), prefix: 'model.mm_projector' })).rejects.toThrow(
      /no mlp2x_gelu adapter weights under prefix 'model.mm_projector': looked for model.mm_projector.0.weight/,
    );
  });

  it('refuses NaN or infinite weights with a NumericError naming the file and the tensor', async () => {
    const bare = Object.fromEntries(await readSafetensors(fixture('mlp2x_gelu_bare.safetensors')));
    const weight = bare['2.weight']!;
    const poisoned = new Float32Array(weight.data);
    poisoned[5] = Number.NaN;
    const path = await writeTensors({ ...bare, '2.weight': { data: poisoned, dims: weight.dims } });
    const error = await loadAdapter({ type: 'mlp2x_gelu', weightsPath: path }).catch((e: unknown) => e);
    expect(NumericError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/tensor '2.weight' \[\d+, \d+\] has a non-finite value \(NaN\) at flat index 5/);
    const bias = bare['0.bias']!;
    const infinite = new Float32Array(bias.data);
    infinite[0] = Number.POSITIVE_INFINITY;
    await expect(loadAdapter({ type: 'mlp2x_gelu', weightsPath: await writeTensors({ ...bare, '0.bias': { data: infinite, dims: bias.dims } }) })).rejects.toThrow(/tensor '0.bias' .* non-finite value \(Infinity\)/);
  });

  it('rejects unknown types and runtimes, and a linear type on an MLP checkpoint', async () => {
    await expect(loadAdapter({ type: 'mlp3x_gelu' as never, weightsPath: fixture('mlp2x_gelu_bare.safetensors') })).rejects.toThrow(/unknown adapter type 'mlp3x_gelu'; valid choices: 'linear' or 'mlp2x_gelu'/);
    await expect(loadAdapter({ type: 'linear', weightsPath: fixture('mlp2x_gelu_bare.safetensors'), runtime: 'wasm' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(loadAdapter({ type: 'linear', weightsPath: fixture('mlp2x_gelu_bare.safetensors') })).rejects.toThrow(/holds an mlp2x_gelu adapter/);
  });
});
