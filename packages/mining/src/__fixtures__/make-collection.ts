import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

type Rgb = readonly [number, number, number];
const size = 32;

function raw(pixel: (x: number, y: number) => Rgb): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.set(pixel(x, y), (y * size + x) * 3);
  return sharp(data, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

const red: Rgb = [255, 0, 0];
const blue: Rgb = [0, 0, 255];
const green: Rgb = [0, 200, 0];
const yellow: Rgb = [255, 255, 0];
const white: Rgb = [255, 255, 255];

/**
 * A small collection with a hand-known answer for the fake colour/layout encoders: rb/br and gy/yg
 * are mirror images (same mean colour, opposite layout), copy-of-rb duplicates rb byte for byte,
 * broken.png and truncated.jpg cannot be decoded, notes.txt is not an image.
 */
export async function makeCollection(dir: string): Promise<{ dir: string; names: string[] }> {
  await mkdir(join(dir, 'sub'), { recursive: true });
  const files: [string, Buffer][] = [
    ['rb.png', await raw((x) => (x < size / 2 ? red : blue))],
    ['br.png', await raw((x) => (x < size / 2 ? blue : red))],
    ['gy.png', await raw((_x, y) => (y < size / 2 ? green : yellow))],
    ['sub/yg.png', await raw((_x, y) => (y < size / 2 ? yellow : green))],
    ['quad.png', await raw((x, y) => (x < size / 2 ? (y < size / 2 ? red : green) : y < size / 2 ? blue : white))],
    ['orange.png', await raw(() => [255, 128, 0])],
    ['cyan.png', await raw(() => [0, 255, 255])],
    ['gray.png', await raw(() => [128, 128, 128])],
    ['ramp.png', await raw((x, y) => [x * 8, y * 8, 100])],
    [
      'sub/stripes.jpg',
      await sharp(await raw((x) => (x % 8 < 4 ? red : white)))
        .jpeg({ quality: 95 })
        .toBuffer(),
    ],
  ];
  for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
  await copyFile(join(dir, 'rb.png'), join(dir, 'copy-of-rb.png'));
  await writeFile(join(dir, 'broken.png'), Buffer.from('this is not a png at all'));
  const jpeg = await sharp(await raw((x, y) => [x * 8, 255 - y * 8, 50]))
    .jpeg()
    .toBuffer();
  await writeFile(join(dir, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 3)));
  await writeFile(join(dir, 'notes.txt'), 'not an image\n');
  return { dir, names: [...files.map(([n]) => n), 'copy-of-rb.png', 'broken.png', 'truncated.jpg'] };
}

/** `count` distinct random-noise PNGs (deterministic), for runs long enough to be killed midway. */
export async function makeNoiseImages(dir: string, count: number, seed = 1): Promise<void> {
  await mkdir(dir, { recursive: true });
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    const data = Buffer.alloc(size * size * 3);
    for (let j = 0; j < data.length; j++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      data[j] = state >>> 24;
    }
    await sharp(data, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(join(dir, `noise-${String(i).padStart(3, '0')}.png`));
  }
}
