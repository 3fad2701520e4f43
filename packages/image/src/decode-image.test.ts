import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileFormatError, readNpy } from '@mmvp/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from './decode-image';

const inputs = fileURLToPath(new URL('./__fixtures__/pillow/inputs/', import.meta.url));
const cmykFixtures = fileURLToPath(new URL('./__fixtures__/cmyk/', import.meta.url));
let folder = '';

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mmvp-image-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function expectFileError(source: string | Uint8Array, pattern: RegExp): Promise<void> {
  const error = await decodeImage(source).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(FileFormatError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}

describe('decodeImage', () => {
  it('replicates grey and drops alpha without compositing (Pillow convert("RGB"))', async () => {
    const grey = await decodeImage(`${inputs}gray-240x180.png`);
    expect([grey.width, grey.height]).toEqual([240, 180]);
    let replicated = true;
    for (let i = 0; i < grey.data.length; i += 3) replicated &&= grey.data[i] === grey.data[i + 1] && grey.data[i] === grey.data[i + 2];
    expect(replicated).toBe(true); // exact values against Pillow: pillow-parity.test.ts
    const rgba = await decodeImage(`${inputs}rgba-200x200.png`);
    const rgbaRaw = await sharp(`${inputs}rgba-200x200.png`).raw().toBuffer();
    expect(rgbaRaw[3]).toBe(0); // fully transparent pixel keeps its colour
    expect([rgba.data[0], rgba.data[1], rgba.data[2]]).toEqual([rgbaRaw[0], rgbaRaw[1], rgbaRaw[2]]);
  });

  it('decodes bytes as well as paths, and WebP', async () => {
    const bytes = await readFile(`${inputs}photo-300x225.png`);
    const fromBytes = await decodeImage(new Uint8Array(bytes));
    const fromPath = await decodeImage(`${inputs}photo-300x225.png`);
    expect(fromBytes.data).toEqual(fromPath.data);
    const webp = await sharp(`${inputs}photo-300x225.png`).webp({ lossless: true }).toBuffer();
    const fromWebp = await decodeImage(new Uint8Array(webp));
    expect(fromWebp.data).toEqual(fromPath.data);
  });

  it('applies EXIF orientation (stored 800x600, orientation 6 -> upright 600x800)', async () => {
    const image = await decodeImage(`${inputs}photo-exif6-800x600.jpg`);
    expect([image.width, image.height]).toEqual([600, 800]);
  });

  it('converts CMYK JPEGs to RGB exactly as Pillow 9.4 does, also under EXIF orientation', async () => {
    for (const [name, width, height] of [
      ['noise-40x30', 40, 30],
      ['noise-40x30-exif6', 30, 40],
    ] as const) {
      const ours = await decodeImage(join(cmykFixtures, `${name}.jpg`));
      const pillow = await readNpy(join(cmykFixtures, `${name}.rgb.npy`)); // uint8 [H, W, 3]
      expect([ours.height, ours.width]).toEqual([height, width]);
      expect(pillow.dims).toEqual([height, width, 3]);
      let maxDifference = 0;
      for (let i = 0; i < ours.data.length; i++) maxDifference = Math.max(maxDifference, Math.abs(ours.data[i]! - Number(pillow.data[i])));
      expect(maxDifference).toBe(0);
    }
  });

  it('reduces a 16-bit PNG to the 8-bit pixels it was made from (Pillow keeps the high byte)', async () => {
    const raw = Buffer.alloc(23 * 17 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 37 + 11) % 256;
    const wide = join(folder, 'rgb16.png');
    await sharp(raw, { raw: { width: 23, height: 17, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(wide);
    expect((await sharp(wide).metadata()).depth).toBe('ushort');
    const ours = await decodeImage(wide);
    expect(Buffer.from(ours.data).equals(raw)).toBe(true);
  });

  it('rejects a truncated JPEG, naming the file', async () => {
    const bytes = await readFile(`${inputs}photo-exif6-800x600.jpg`);
    const path = join(folder, 'truncated.jpg');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectFileError(path, /truncated\.jpg/);
  });

  it('rejects a zero-byte file, naming the file', async () => {
    const path = join(folder, 'empty.png');
    await writeFile(path, '');
    await expectFileError(path, /empty\.png: the file is empty \(0 bytes\)/);
  });

  it('rejects a text file named .png, naming the file and the expected formats', async () => {
    const path = join(folder, 'not-an-image.png');
    await writeFile(path, 'hello, I am text\n');
    await expectFileError(path, /not-an-image\.png.*expected JPEG, PNG, WebP, GIF, TIFF or AVIF/);
  });

  it('refuses SVG (Pillow cannot open it: no reference to be exact to), naming the format and the supported ones (m2)', async () => {
    const path = join(folder, 'drawing.svg');
    await writeFile(path, '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="red"/></svg>');
    await expectFileError(path, /drawing\.svg: SVG is not a supported image format; supported: JPEG, PNG, WebP, GIF, TIFF or AVIF \(animated or multi-page files: the first frame\)/);
  });

  it("accepts an animated GIF and decodes its first frame, as Pillow's Image.open does (m2, documented)", async () => {
    const frame = (r: number, b: number) =>
      sharp({ create: { width: 4, height: 4, channels: 3, background: { r, g: 0, b } } })
        .png()
        .toBuffer();
    const gif = await sharp([await frame(255, 0), await frame(0, 255)], { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const image = await decodeImage(gif);
    expect([image.width, image.height]).toEqual([4, 4]);
    expect(Array.from(image.data.subarray(0, 3))).toEqual([255, 0, 0]); // the red first frame, not the blue second
  });

  it('rejects a missing file, naming it', async () => {
    await expectFileError(join(folder, 'missing.jpg'), /missing\.jpg: no such file/);
  });

  it('rejects empty and garbage bytes', async () => {
    await expectFileError(new Uint8Array(0), /no data/);
    await expectFileError(new Uint8Array([1, 2, 3, 4]), /image bytes \(4 bytes\)/);
  });
});
