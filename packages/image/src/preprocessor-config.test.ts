import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidConfigError, FileFormatError } from '@mmvp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreprocessorConfig, parsePreprocessorConfig } from './preprocessor-config';
import { createImageProcessor } from './image-processor';

const configs = fileURLToPath(new URL('../../../configs/preprocessors/', import.meta.url));
let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mmvp-config-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error,
  );
}

describe('preprocessor config', () => {
  it('reads the real CLIP (old int form) and DINOv2 (dict form) configs', async () => {
    const clip = await loadPreprocessorConfig(`${configs}clip-vit-large-patch14-336/preprocessor_config.json`);
    expect(clip.size).toEqual({ shortestEdge: 336 });
    expect(clip.cropSize).toEqual({ height: 336, width: 336 });
    expect(clip.resample).toBe(3);
    expect(clip.rescaleFactor).toBe(1 / 255);
    const dino = await loadPreprocessorConfig(`${configs}dinov2-large/preprocessor_config.json`);
    expect(dino.size).toEqual({ shortestEdge: 256 });
    expect(dino.cropSize).toEqual({ height: 224, width: 224 });
    expect(dino.imageMean).toEqual([0.485, 0.456, 0.406]);
  });

  it('fills Hugging Face defaults and tolerates unknown keys', () => {
    const bit = parsePreprocessorConfig({ image_processor_type: 'BitImageProcessor', crop_pct: 0.875 });
    expect(bit.resample).toBe(2);
    expect(bit.size).toEqual({ shortestEdge: 224 });
    expect(parsePreprocessorConfig({}).resample).toBe(3);
  });

  it('names the file and the key of a bad value, with the valid choices', () => {
    expect(() => parsePreprocessorConfig({ resample: 7 }, 'x/preprocessor_config.json')).toThrow(/x\/preprocessor_config\.json is invalid: resample: must be 0 \(nearest\).*3 \(bicubic\)/);
    expect(() => parsePreprocessorConfig({ size: { longest_edge: 5 } }, 'cfg.json')).toThrow(/cfg\.json is invalid: size: must be a positive integer, \{"shortest_edge": N\}/);
    expect(() => parsePreprocessorConfig({ image_mean: [0.5, 0.5] }, 'cfg.json')).toThrow(/image_mean/);
    expect(() => parsePreprocessorConfig({ do_resize: 'yes' }, 'cfg.json')).toThrow(/do_resize: Expected boolean/);
  });

  it('rejects a malformed file naming it, and a missing one', async () => {
    const path = join(folder, 'preprocessor_config.json');
    await writeFile(path, '{"size": 224, "crop_size": ');
    const malformed = await caught(loadPreprocessorConfig(path));
    expect(InvalidConfigError.isInstance(malformed)).toBe(true);
    expect(malformed.message).toContain(`${path} is not valid JSON`);
    const missing = await caught(loadPreprocessorConfig(join(folder, 'nope.json')));
    expect(FileFormatError.isInstance(missing)).toBe(true);
    expect(missing.message).toContain('nope.json');
  });

  it('requires a fixed output size for a processor', () => {
    const config = parsePreprocessorConfig({ do_center_crop: false, size: { shortest_edge: 224 } });
    expect(() => createImageProcessor(config)).toThrow(/no fixed output size/);
    expect(() => createImageProcessor(parsePreprocessorConfig({}), { cropRounding: 'ceil' as never })).toThrow(/'floor' or 'round'/);
  });

  it("fills in SiglipImageProcessor's defaults: no crop, mean/std 0.5, bicubic (Xenova/siglip-base-patch16-224 lists none of them)", () => {
    const siglip = parsePreprocessorConfig({ image_processor_type: 'SiglipImageProcessor', size: { height: 384, width: 384 } });
    expect(siglip.doCenterCrop).toBe(false);
    expect(siglip.imageMean).toEqual([0.5, 0.5, 0.5]);
    expect(siglip.imageStd).toEqual([0.5, 0.5, 0.5]);
    expect(siglip.resample).toBe(3);
    expect(createImageProcessor(siglip).outputSize).toEqual([384, 384]);
    // a CLIP processor without the keys still crops and uses OpenAI's statistics
    const clip = parsePreprocessorConfig({ image_processor_type: 'CLIPImageProcessor' });
    expect(clip.doCenterCrop).toBe(true);
    expect(clip.imageMean[0]).toBeCloseTo(0.48145466, 8);
  });
});
