import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, readNpyFloat32, tensor, type FeatureTap } from '@mmvp/core';
import { releaseSessions } from '@mmvp/onnx';
import clipModule, { createClipTextEncoder, createClipVisionEncoder } from './index';
import { hiddenState, maxAbsDiff } from '../../onnx/src/__fixtures__/compare-hidden-states';

const modelPath = fileURLToPath(new URL('../../../models/tiny-clip', import.meta.url));
const reference = (name: string) => join(modelPath, 'reference', name);
const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-clip-cache-'));

afterAll(() => releaseSessions());

/** Tokens [start, start + count) of a [B, T, D] reference. */
function tokensOf(t: { data: Float32Array; dims: readonly number[] }, start: number, count: number): Float32Array {
  const [b, n, d] = t.dims as [number, number, number];
  const out = new Float32Array(b * count * d);
  for (let i = 0; i < b; i++) out.set(t.data.subarray((i * n + start) * d, (i * n + start + count) * d), i * count * d);
  return out;
}

describe('CLIP vision encoder vs PyTorch', () => {
  it('matches every hidden state, prenorm, last and image_embeds (max abs diff < 1e-4)', async () => {
    const encoder = await createClipVisionEncoder({ modelPath, cacheDir });
    expect(encoder.hiddenSize).toBe(64);
    expect(encoder.patchGrid).toEqual([4, 4]);
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    const hidden = await readNpyFloat32(reference('hidden_states.npy'));
    const diffs: Record<string, number> = {};
    for (let layer = -5; layer <= 4; layer++) {
      const out = await encoder.encodePixels(pixels, { tap: { kind: 'layer', layer }, tokens: 'all' });
      const k = layer < 0 ? 5 + layer : layer;
      expect(out.dims).toEqual([3, 17, 64]);
      diffs[`layer ${layer}`] = maxAbsDiff(out.data, hiddenState(hidden, k).data);
    }
    const prenorm = await encoder.encodePixels(pixels, { tap: { kind: 'prenorm' }, tokens: 'all' });
    diffs.prenorm = maxAbsDiff(prenorm.data, (await readNpyFloat32(reference('prenorm.npy'))).data);
    const last = await encoder.encodePixels(pixels, { tap: { kind: 'last' }, tokens: 'all' });
    diffs.last = maxAbsDiff(last.data, (await readNpyFloat32(reference('last_hidden_state.npy'))).data);
    const embeds = await encoder.embedPixels(pixels);
    expect(embeds.dims).toEqual([3, 32]);
    diffs.image_embeds = maxAbsDiff(embeds.data, (await readNpyFloat32(reference('image_embeds.npy'))).data);
    for (const [what, diff] of Object.entries(diffs)) expect(diff, what).toBeLessThan(1e-4);
  });

  it('selects patch tokens (CLS dropped) and the CLS token', async () => {
    const encoder = await createClipVisionEncoder({ modelPath, cacheDir });
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    const hidden = hiddenState(await readNpyFloat32(reference('hidden_states.npy')), 3);
    const patch = await encoder.encodePixels(pixels, { tap: { kind: 'layer', layer: -2 }, tokens: 'patch' });
    expect(patch.dims).toEqual([3, 16, 64]);
    expect(maxAbsDiff(patch.data, tokensOf(hidden, 1, 16))).toBeLessThan(1e-4);
    const cls = await encoder.encodePixels(pixels, { tap: { kind: 'layer', layer: -2 }, tokens: 'cls' });
    expect(cls.dims).toEqual([3, 1, 64]);
    expect(maxAbsDiff(cls.data, tokensOf(hidden, 0, 1))).toBeLessThan(1e-4);
  });

  it('gives the same result in batches of 1, 2 and 8', async () => {
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    const tap: FeatureTap = { kind: 'layer', layer: -2 };
    const results = [];
    for (const batchSize of [1, 2, 8]) {
      const encoder = await createClipVisionEncoder({ modelPath, cacheDir, batchSize });
      results.push({ features: await encoder.encodePixels(pixels, { tap, tokens: 'patch' }), embeds: await encoder.embedPixels(pixels) });
    }
    for (const r of results.slice(1)) {
      expect(maxAbsDiff(r.features.data, results[0]!.features.data)).toBeLessThan(1e-5);
      expect(maxAbsDiff(r.embeds.data, results[0]!.embeds.data)).toBeLessThan(1e-5);
    }
  });

  it('preprocesses the reference PNGs to Pillow-made pixel_values', async () => {
    const encoder = await createClipVisionEncoder({ modelPath, cacheDir });
    const images = [0, 1, 2].map((i) => reference(`images/image-${i}.png`));
    const pixels = await encoder.preprocess(images);
    expect(pixels.dims).toEqual([3, 3, 32, 32]);
    expect(maxAbsDiff(pixels.data, (await readNpyFloat32(reference('pixel_values.npy'))).data)).toBeLessThan(1e-4);
  });

  it('loads through the ComponentModule default export', async () => {
    expect(clipModule.kind).toBe('vision-encoder');
    const encoder = await clipModule.create({ modelPath, cacheDir });
    expect(encoder.provider).toBe('clip');
    await expect(clipModule.create({ modelPath, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(clipModule.create({ modelPath, colour: 'red' })).rejects.toThrow(/colour/);
  });
});

describe('CLIP text encoder vs PyTorch', () => {
  it('tokenizes like the reference BPE and matches text_embeds', async () => {
    const encoder = await createClipTextEncoder({ modelPath, batchSize: 3 });
    const texts = JSON.parse(readFileSync(reference('texts.json'), 'utf8')) as string[];
    const ids = await readNpy(reference('input_ids.npy'));
    expect(Array.from(encoder.tokenize(texts))).toEqual(Array.from(ids.data as BigInt64Array));
    const embeds = await encoder.encodeTexts(texts);
    expect(embeds.dims).toEqual([4, 32]);
    expect(maxAbsDiff(embeds.data, (await readNpyFloat32(reference('text_embeds.npy'))).data)).toBeLessThan(1e-4);
    const one = await createClipTextEncoder({ modelPath, batchSize: 1 });
    expect(maxAbsDiff((await one.encodeTexts(texts)).data, embeds.data)).toBeLessThan(1e-5);
  });

  it('truncates long texts keeping the final <|endoftext|>', async () => {
    const encoder = await createClipTextEncoder({ modelPath });
    const ids = encoder.tokenize(['a photo of a dog '.repeat(10)]);
    expect(ids.length).toBe(16);
    expect(ids[15]).toBe(708n);
    expect(ids[0]).toBe(707n);
  });
});

describe('CLIP encoder errors', () => {
  it('names the folder without config.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-noconfig-'));
    await expect(createClipVisionEncoder({ modelPath: dir })).rejects.toThrow(/has no config\.json/);
  });

  it('names the valid layer range for a tap that does not exist', async () => {
    const encoder = await createClipVisionEncoder({ modelPath, cacheDir });
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    await expect(encoder.encodePixels(pixels, { tap: { kind: 'layer', layer: 7 }, tokens: 'patch' })).rejects.toThrow(/layer 7 does not exist.*-5 to 4/);
  });

  it('rejects pixel_values of the wrong size', async () => {
    const encoder = await createClipVisionEncoder({ modelPath, cacheDir });
    await expect(encoder.encodePixels(tensor(new Float32Array(3 * 16 * 16), [1, 3, 16, 16]), { tap: { kind: 'last' }, tokens: 'all' })).rejects.toThrow(/\[1, 3, 16, 16\], expected \[B, 3, 32, 32\]/);
  });

  it('names a corrupt and a foreign ONNX file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-corrupt-clip-'));
    cpSync(modelPath, dir, { recursive: true, filter: (src) => !src.includes('reference') && !src.includes('.mmvp-cache') });
    writeFileSync(join(dir, 'onnx/vision_model.onnx'), readFileSync(join(modelPath, 'onnx/vision_model.onnx')).subarray(0, 4096));
    await expect(createClipVisionEncoder({ modelPath: dir })).rejects.toThrow(/vision_model\.onnx/);
    // a DINOv2 export under the CLIP file name: the I/O check lists what the file has
    copyFileSync(fileURLToPath(new URL('../../../models/tiny-dinov2/onnx/model.onnx', import.meta.url)), join(dir, 'onnx/vision_model.onnx'));
    await expect(createClipVisionEncoder({ modelPath: dir })).rejects.toThrow(/has no output 'image_embeds'; its outputs are 'last_hidden_state' or 'pooler_output'/);
    rmSync(join(dir, 'onnx/vision_model.onnx'));
    await expect(createClipVisionEncoder({ modelPath: dir })).rejects.toThrow(/no vision_model\.onnx .* ONNX files there: 'text_model\.onnx'/);
    mkdirSync(join(dir, 'empty'));
  });
});
