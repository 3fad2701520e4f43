import { decodableFormats } from '@mmvp/image';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageSignature } from './image-signature';

/** An 8 x 8 image encoded by sharp (libvips) in one of the formats the pipeline decodes. */
async function encoded(format: (typeof decodableFormats)[number]): Promise<Uint8Array> {
  const image = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 40, b: 90 } } });
  if (format === 'heif') return image.heif({ compression: 'av1' }).toBuffer();
  return image.toFormat(format).toBuffer();
}

describe('imageSignature', () => {
  it.each(decodableFormats)('knows %s files as libvips writes them', async (format) => {
    const bytes = await encoded(format);
    expect(imageSignature(bytes)).toBe(format === 'heif' ? 'avif' : format);
  });

  it('knows no text, no empty or cut header, and no SVG (which the pipeline refuses)', () => {
    for (const text of ['not an image at all', '', '\xff\xd8', '<svg xmlns="http://www.w3.org/2000/svg"/>', 'RIFF\0\0\0\0WAVE']) {
      expect(imageSignature(Buffer.from(text, 'latin1'))).toBeUndefined();
    }
  });
});
