import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpyFloat32 } from '@mmvp/core';
import { releaseSessions } from '@mmvp/onnx';
import dinov2Module, { createDinov2Encoder } from './index';
import { hiddenState, maxAbsDiff } from '../../onnx/src/__fixtures__/compare-hidden-states';

const modelPath = fileURLToPath(new URL('../../../models/tiny-dinov2', import.meta.url));
const clipModelPath = fileURLToPath(new URL('../../../models/tiny-clip', import.meta.url));
const reference = (name: string) => join(modelPath, 'reference', name);
const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-dino-cache-'));

afterAll(() => releaseSessions());

function patchTokens(t: { data: Float32Array; dims: readonly number[] }): Float32Array {
  const [b, n, d] = t.dims as [number, number, number];
  const out = new Float32Array(b * (n - 1) * d);
  for (let i = 0; i < b; i++) out.set(t.data.subarray((i * n + 1) * d, (i + 1) * n * d), i * (n - 1) * d);
  return out;
}

describe('DINOv2 encoder vs PyTorch', () => {
  it('matches every hidden state, prenorm, last and pooler_output (max abs diff < 1e-4)', async () => {
    const encoder = await createDinov2Encoder({ modelPath, cacheDir });
    expect(encoder.patchGrid).toEqual([4, 4]);
    expect(encoder.hiddenSize).toBe(48);
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    const hidden = await readNpyFloat32(reference('hidden_states.npy'));
    for (let layer = -4; layer <= 3; layer++) {
      const out = await encoder.encodePixels(pixels, { tap: { kind: 'layer', layer }, tokens: 'all' });
      expect(maxAbsDiff(out.data, hiddenState(hidden, layer < 0 ? 4 + layer : layer).data), `layer ${layer}`).toBeLessThan(1e-4);
    }
    const prenorm = await encoder.encodePixels(pixels, { tap: { kind: 'prenorm' }, tokens: 'patch' });
    expect(prenorm.dims).toEqual([3, 16, 48]);
    expect(maxAbsDiff(prenorm.data, patchTokens(await readNpyFloat32(reference('prenorm.npy'))))).toBeLessThan(1e-4);
    const last = await encoder.encodePixels(pixels, { tap: { kind: 'last' }, tokens: 'all' });
    expect(maxAbsDiff(last.data, (await readNpyFloat32(reference('last_hidden_state.npy'))).data)).toBeLessThan(1e-4);
    const pooled = await encoder.embedPixels(pixels);
    expect(pooled.dims).toEqual([3, 48]);
    expect(maxAbsDiff(pooled.data, (await readNpyFloat32(reference('pooler_output.npy'))).data)).toBeLessThan(1e-4);
  });

  it("with processor 'clip' takes CLIP-preprocessed images (MMVP's MoF) end to end", async () => {
    const encoder = await createDinov2Encoder({ modelPath, processor: 'clip', clipModelPath, cacheDir });
    expect(encoder.preprocessorConfigPath).toBe(join(clipModelPath, 'preprocessor_config.json'));
    const pixels = await encoder.preprocess([0, 1, 2].map((i) => reference(`images/image-${i}.png`)));
    expect(maxAbsDiff(pixels.data, (await readNpyFloat32(reference('pixel_values_clip.npy'))).data)).toBeLessThan(1e-4);
    const prenorm = await encoder.encodePixels(pixels, { tap: { kind: 'prenorm' }, tokens: 'patch' });
    expect(maxAbsDiff(prenorm.data, patchTokens(await readNpyFloat32(reference('prenorm_clip.npy'))))).toBeLessThan(1e-4);
  });

  it('uses its own BitImageProcessor by default', async () => {
    const encoder = await createDinov2Encoder({ modelPath, cacheDir });
    const pixels = await encoder.preprocess([0, 1, 2].map((i) => reference(`images/image-${i}.png`)));
    expect(maxAbsDiff(pixels.data, (await readNpyFloat32(reference('pixel_values.npy'))).data)).toBeLessThan(1e-4);
  });

  it('gives the same result in batches of 1 and 8', async () => {
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    const one = await createDinov2Encoder({ modelPath, cacheDir, batchSize: 1 });
    const eight = await createDinov2Encoder({ modelPath, cacheDir, batchSize: 8 });
    const a = await one.encodePixels(pixels, { tap: { kind: 'prenorm' }, tokens: 'patch' });
    const b = await eight.encodePixels(pixels, { tap: { kind: 'prenorm' }, tokens: 'patch' });
    expect(maxAbsDiff(a.data, b.data)).toBeLessThan(1e-5);
  });

  it('pointed at a CLIP folder, says it is a CLIP folder instead of listing missing DINOv2 fields (m8)', async () => {
    const error = (await createDinov2Encoder({ modelPath: clipModelPath }).then(
      () => new Error('no error'),
      (e: unknown) => e,
    )) as Error;
    expect(error.name).toBe('ModelLoadError');
    expect(error.message).toBe(
      `${join(clipModelPath, 'config.json')} has model_type 'clip': this is a CLIP model folder, not DINOv2; @mmvp/encoder-dinov2 needs a DINOv2 folder (model_type 'dinov2' or 'dinov2_with_registers'); for a CLIP folder use @mmvp/encoder-clip`,
    );
    expect(error.message).not.toMatch(/hidden_size/);
  });

  it('gives clear errors for bad options, a missing config.json and a missing layer', async () => {
    await expect(dinov2Module.create({ modelPath, processor: 'clip' })).rejects.toThrow(/clipModelPath/);
    await expect(dinov2Module.create({ modelPath, processor: 'siglip' })).rejects.toThrow(/processor/);
    await expect(createDinov2Encoder({ modelPath: mkdtempSync(join(tmpdir(), 'mmvp-empty-')) })).rejects.toThrow(/has no config\.json/);
    const encoder = await createDinov2Encoder({ modelPath, cacheDir });
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    await expect(encoder.encodePixels(pixels, { tap: { kind: 'layer', layer: 4 }, tokens: 'all' })).rejects.toThrow(/layer 4 does not exist: this encoder has 3 layers/);
  });
});
