/**
 * Image preprocessing throughput: a 1024x768 JPEG -> CLIP-336 pixel_values [1, 3, 336, 336]
 * (decode, shortest-edge resize to 448x336 bicubic, center crop 336, rescale + normalize to CHW
 * float32). Ours is the Pillow-exact port in @mmvp/image; the reference is sharp's own pipeline doing
 * the same work (libvips cubic resize + extract, then the same normalisation in JS on its raw
 * output), which is fast but not Pillow-exact. `ratio` = ours / sharp (images per second).
 * Run: pnpm bench image
 */
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createImageProcessor, decodeImage, loadPreprocessorConfig, resizePillow } from '@mmvp/image';
import { measure, printTable } from './timing';

const configPath = fileURLToPath(new URL('../../configs/preprocessors/clip-vit-large-patch14-336/preprocessor_config.json', import.meta.url));

/** A photo-like 1024x768 JPEG: gradients, texture and edges, so the codec and resampler do real work. */
async function makeJpeg(width: number, height: number): Promise<Uint8Array> {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const texture = 20 * Math.sin(x * 0.31) * Math.cos(y * 0.27);
      const edge = (x >> 6) % 2 === (y >> 6) % 2 ? 40 : 0;
      pixels[i] = Math.max(0, Math.min(255, (x / width) * 200 + texture + edge));
      pixels[i + 1] = Math.max(0, Math.min(255, (y / height) * 180 + texture));
      pixels[i + 2] = Math.max(0, Math.min(255, 120 + texture - edge));
    }
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
}

export default async function run(): Promise<void> {
  const jpeg = await makeJpeg(1024, 768);
  const config = await loadPreprocessorConfig(configPath);
  const processor = createImageProcessor(config);
  const mean = config.imageMean;
  const std = config.imageStd;
  const side = 336;
  const plane = side * side;

  // sharp's pipeline: resize (cubic) to the same 448x336, crop the same window, normalise in JS.
  const sharpPipeline = async (): Promise<Float32Array> => {
    const raw = await sharp(jpeg).rotate().resize({ width: 448, height: 336, kernel: 'cubic', fit: 'fill' }).extract({ left: 56, top: 0, width: side, height: side }).raw().toBuffer();
    const out = new Float32Array(3 * plane); // [3, H, W]
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      for (let c = 0; c < 3; c++) out[c * plane + i] = (raw[p + c]! / 255 - mean[c]!) / std[c]!;
    }
    return out;
  };

  const ours = await measure(() => processor.preprocess([jpeg]), { minSeconds: 3 });
  const threads = sharp.concurrency();
  const theirs = await measure(sharpPipeline, { minSeconds: 3 });
  sharp.concurrency(1); // libvips runs one image on several threads; ours is one JS thread
  const theirsOneThread = await measure(sharpPipeline, { minSeconds: 3 });
  sharp.concurrency(threads);
  const decodeOnly = await measure(() => decodeImage(jpeg), { minSeconds: 2 });
  const decoded = await decodeImage(jpeg);
  const resizeOnly = await measure(() => resizePillow(decoded, 448, 336, 3), { minSeconds: 2 });

  // How far sharp's pixels are from Pillow's (ours is Pillow-exact on the fixtures).
  const a = (await processor.preprocess([jpeg])).data;
  const b = await sharpPipeline();
  let maxDifference = 0;
  let sumDifference = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sumDifference += d;
    if (d > maxDifference) maxDifference = d;
  }

  printTable([
    { pipeline: 'ours: decode + Pillow-exact resize + crop + normalize', imagesPerSecond: ours.perSecond, msPerImage: 1000 / ours.perSecond, ratio: ours.perSecond / theirs.perSecond },
    { pipeline: `sharp (${threads} libvips threads): decode + cubic resize + extract, normalize in JS`, imagesPerSecond: theirs.perSecond, msPerImage: 1000 / theirs.perSecond, ratio: 1 },
    { pipeline: 'sharp (1 libvips thread): the same', imagesPerSecond: theirsOneThread.perSecond, msPerImage: 1000 / theirsOneThread.perSecond, ratio: theirsOneThread.perSecond / theirs.perSecond },
    { pipeline: '  of ours: sharp decode only (1024x768 JPEG)', imagesPerSecond: decodeOnly.perSecond, msPerImage: 1000 / decodeOnly.perSecond, ratio: '' },
    { pipeline: '  of ours: resizePillow 1024x768 -> 448x336 bicubic', imagesPerSecond: resizeOnly.perSecond, msPerImage: 1000 / resizeOnly.perSecond, ratio: '' },
  ]);
  console.log(`ours / sharp = ${(ours.perSecond / theirs.perSecond).toFixed(2)}, ours / sharp on 1 thread = ${(ours.perSecond / theirsOneThread.perSecond).toFixed(2)} (images/s; below 1 means ours is slower)`);
  console.log(`sharp vs Pillow-exact pixel_values: max |diff| ${maxDifference.toFixed(4)}, mean |diff| ${(sumDifference / a.length).toFixed(5)} (normalised units; 1 level = ${(1 / 255 / std[0]!).toFixed(4)})`);
}
