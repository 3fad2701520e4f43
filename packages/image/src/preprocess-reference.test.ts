/**
 * What `mmvp preprocess` computes, checked on the library (moved from apps/cli/test/preprocess.test.ts,
 * same checks: pixel_values [B, 3, H, W] of two published cases against Python's within 1e-5, and the
 * one-line refusal of JSON that is not a preprocessor config; the CLI keeps its smoke run, --config
 * folder handling, flag errors and --out checks).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRounding } from './center-crop';
import { createImageProcessor } from './image-processor';
import { loadPreprocessorConfig } from './preprocessor-config';
import { maxAbsDifference, pillowFixtures, pillowReference } from './__fixtures__/pillow-reference';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = pillowFixtures;

/** pixel_values [1, 3, H, W] of one image, as `mmvp preprocess` computes them. */
async function pixelValues(config: string, image: string, options: { padToSquare?: boolean; cropRounding?: CropRounding }) {
  const processor = createImageProcessor(await loadPreprocessorConfig(`${root}${config}`), { padToSquare: options.padToSquare ?? false, cropRounding: options.cropRounding ?? 'floor' });
  const tensor = await processor.preprocess([image]);
  return { data: tensor.data as Float32Array, dims: tensor.dims };
}

describe('preprocess: pixel_values against Python', () => {
  it('matches Pillow + the HF processor for CLIP-336 with padToSquare (LLaVA-1.5)', async () => {
    const ours = await pixelValues('configs/preprocessors/clip-vit-large-patch14-336/preprocessor_config.json', `${fixtures}inputs/tall-90x250.png`, { padToSquare: true });
    const expected = pillowReference('process-tall-90x250-clip-336-pad-pixel-values.npy.gz');
    expect(ours.dims).toEqual([1, ...expected.dims]);
    expect(maxAbsDifference(ours.data, expected.data)).toBeLessThanOrEqual(1e-5);
  });

  it("matches torchvision's round crop with cropRounding round", async () => {
    const ours = await pixelValues('configs/preprocessors/clip-vit-large-patch14/preprocessor_config.json', `${fixtures}inputs/stripes-225x229.png`, { cropRounding: 'round' });
    const expected = pillowReference('process-stripes-225x229-clip-224-round-pixel-values.npy.gz');
    expect(maxAbsDifference(ours.data, expected.data)).toBeLessThanOrEqual(1e-5);
  });
});

describe('preprocess: a config that is JSON but not a preprocessor config', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-image-preprocess-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('refuses {}, a model config.json and a pipeline config with one error naming the file and what it looks like (#13.10)', async () => {
    const empty = join(scratch, 'empty.json');
    await writeFile(empty, '{}\n');
    const modelConfig = `${root}models/tiny-clip/config.json`;
    const pipeline = `${root}configs/pipelines/lmms-eval-llava-1.5-13b-imof.json`;
    const expected = 'expected image_processor_type or feature_extractor_type, or the size, crop_size, image_mean and image_std keys of a Hugging Face preprocessor_config.json';
    const cases: [string, string][] = [
      [empty, 'it is an empty object'],
      [modelConfig, "it looks like a model's config.json (model_type 'clip'); give the preprocessor_config.json beside it, or the model folder"],
      [pipeline, 'it looks like a pipeline config; give the preprocessor_config.json of a model folder'],
    ];
    for (const [config, looksLike] of cases) {
      const error = await loadPreprocessorConfig(config).then(
        () => undefined,
        (thrown: unknown) => thrown as Error,
      );
      expect(error).toBeInstanceOf(Error);
      expect(`${error!.name}: ${error!.message}`).toBe(`InvalidConfigError: ${config} is not a preprocessor config (${looksLike}): ${expected}`);
    }
    // a real one still loads (the model folder's own preprocessor_config.json)
    await expect(loadPreprocessorConfig(`${root}models/tiny-clip/preprocessor_config.json`)).resolves.toBeDefined();
  });
});
