import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode-image';
import { createImageProcessor } from './image-processor';
import { loadPreprocessorConfig } from './preprocessor-config';

const inputs = fileURLToPath(new URL('./__fixtures__/pillow/inputs/', import.meta.url));
const configs = fileURLToPath(new URL('../../../configs/preprocessors/', import.meta.url));

describe('createImageProcessor', () => {
  it('batches decoded images into pixel_values [B, 3, H, W], each equal to process()', async () => {
    const processor = createImageProcessor(await loadPreprocessorConfig(`${configs}clip-vit-large-patch14/preprocessor_config.json`));
    expect(processor.outputSize).toEqual([224, 224]);
    const bytes = new Uint8Array(await readFile(`${inputs}tall-90x250.png`));
    const batch = await processor.preprocess([`${inputs}photo-300x225.png`, bytes]);
    expect(batch.dims).toEqual([2, 3, 224, 224]);
    const first = processor.process(await decodeImage(`${inputs}photo-300x225.png`));
    const second = processor.process(await decodeImage(bytes));
    expect(batch.data.subarray(0, first.length)).toEqual(first);
    expect(batch.data.subarray(first.length)).toEqual(second);
  });

  it('an error while decoding names the failing image', async () => {
    const processor = createImageProcessor(await loadPreprocessorConfig(`${configs}dinov2-large/preprocessor_config.json`));
    await expect(processor.preprocess([`${inputs}photo-300x225.png`, `${inputs}does-not-exist.png`])).rejects.toThrow(/does-not-exist\.png: no such file/);
  });
});
