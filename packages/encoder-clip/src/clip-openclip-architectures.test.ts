// The Hugging Face CLIPModel conversions of OpenCLIP-architecture models (DFN ViT-H-14-378, LAION ViT-H-14:
// GELU, 378 px, patch 14; MetaCLIP ViT-H-14: quick-GELU, 224 px, patch 14) at tiny width, against the PyTorch
// run of the same weights (tools/make_tiny_siglip.py -> models/tiny-openclip-*/reference). Pixel values come
// from this package's processor (its Pillow parity is tested in clip-encoders.test.ts and @mmvp/image).
// Tolerance: max abs diff < 1e-4 (float32 onnxruntime vs float32 PyTorch).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpyFloat32 } from '@mmvp/core';
import { releaseSessions } from '@mmvp/onnx';
import { createClipTextEncoder, createClipVisionEncoder } from './index';
import { maxAbsDiff } from '../../onnx/src/__fixtures__/compare-hidden-states';

const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-openclip-cache-'));
afterAll(() => releaseSessions());

const MODELS = [
  { name: 'tiny-openclip-gelu-378', hiddenAct: 'gelu', imageSize: 378, grid: 27 },
  { name: 'tiny-openclip-quickgelu-224', hiddenAct: 'quick_gelu', imageSize: 224, grid: 16 },
] as const;

describe.each(MODELS)('$name (hidden_act $hiddenAct, $imageSize px, patch 14) vs PyTorch', ({ name, hiddenAct, imageSize, grid }) => {
  const modelPath = fileURLToPath(new URL(`../../../models/${name}`, import.meta.url));
  const reference = (file: string) => join(modelPath, 'reference', file);

  it('is the configuration it claims to be', () => {
    const config = JSON.parse(readFileSync(join(modelPath, 'config.json'), 'utf8')) as { vision_config: Record<string, unknown> };
    expect(config.vision_config).toMatchObject({ hidden_act: hiddenAct, image_size: imageSize, patch_size: 14 });
  });

  it('matches image_embeds, hidden_states[-2] and text_embeds', async () => {
    const vision = await createClipVisionEncoder({ modelPath, cacheDir });
    expect(vision.patchGrid).toEqual([grid, grid]);
    const pixels = await vision.preprocess([0, 1, 2].map((i) => reference(`images/image-${i}.png`)));
    expect(pixels.dims).toEqual([3, 3, imageSize, imageSize]);
    const embeds = await vision.embedPixels(pixels);
    expect(maxAbsDiff(embeds.data, (await readNpyFloat32(reference('image_embeds.npy'))).data)).toBeLessThan(1e-4);
    const layer = await vision.encodePixels(pixels, { tap: { kind: 'layer', layer: -2 }, tokens: 'all' }); // [3, 1 + grid^2, D]
    expect(layer.dims).toEqual([3, 1 + grid * grid, 32]);
    const first = layer.data.subarray(0, (1 + grid * grid) * 32);
    expect(maxAbsDiff(first, (await readNpyFloat32(reference('layer_minus2_image0.npy'))).data)).toBeLessThan(1e-4);
    const texts = JSON.parse(readFileSync(reference('texts.json'), 'utf8')) as string[];
    const text = await (await createClipTextEncoder({ modelPath })).encodeTexts(texts);
    expect(maxAbsDiff(text.data, (await readNpyFloat32(reference('text_embeds.npy'))).data)).toBeLessThan(1e-4);
  });
});
