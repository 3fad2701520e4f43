import { InvalidArgumentError, InvalidConfigError, listChoices, tensor, type ImageSource, type Tensor } from '@mmvp/core';
import { centerCrop, cropRoundings, type CropRounding } from './center-crop';
import { decodeImage } from './decode-image';
import { meanBackground, padToSquare } from './pad-to-square';
import { resizePillow } from './pillow-resample';
import type { PreprocessorConfig } from './preprocessor-config';
import { resizeOutputSize } from './resize-output-size';
import type { RgbImage } from './rgb-image';

/** Options of createImageProcessor: padding to a square and the crop rounding. */
export interface ImageProcessorOptions {
  /** Pad to a square with the mean colour first, as LLaVA-1.5 does (`image_aspect_ratio: pad`). */
  readonly padToSquare?: boolean;
  /** Crop offset rounding: 'floor' (Hugging Face, default) or 'round' (OpenAI CLIP / torchvision). */
  readonly cropRounding?: CropRounding;
}

/** Turns images into the `pixel_values` a vision model gets, as the Hugging Face processor would. */
export interface ImageProcessor {
  /** [H, W] of pixel_values. */
  readonly outputSize: readonly [number, number];
  readonly config: PreprocessorConfig;
  readonly options: Required<ImageProcessorOptions>;
  /** One decoded image -> pixel_values [3, H, W]. */
  process(image: RgbImage): Float32Array;
  /** Decode and process -> pixel_values [B, 3, H, W]. */
  preprocess(images: readonly ImageSource[]): Promise<Tensor>;
}

/**
 * float32 value of each 8-bit level per channel, with Hugging Face's arithmetic: rescale in float64
 * then cast to float32, then `(x - mean) / std` in float32. A table makes normalising one lookup.
 */
function levelTables(config: PreprocessorConfig): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const table = new Float32Array(256);
    const mean = Math.fround(config.imageMean[c]!);
    const std = Math.fround(config.imageStd[c]!);
    for (let level = 0; level < 256; level++) {
      let value = config.doRescale ? Math.fround(level * config.rescaleFactor) : level;
      if (config.doNormalize) value = Math.fround(Math.fround(value - mean) / std);
      table[level] = value;
    }
    return table;
  });
}

function fixedOutputSize(config: PreprocessorConfig): readonly [number, number] {
  if (config.doCenterCrop) return [config.cropSize.height, config.cropSize.width];
  if (config.doResize && 'height' in config.size) return [config.size.height, config.size.width];
  throw new InvalidConfigError('the preprocessor config gives no fixed output size (a batch needs one): set do_center_crop with crop_size, or size {"height", "width"}');
}

/**
 * Builds a processor from a parsed preprocessor config: [pad to square] -> resize (Pillow's
 * resampler, shortest edge as Hugging Face computes it) -> center crop -> rescale -> normalize ->
 * [3, H, W] float32.
 */
export function createImageProcessor(config: PreprocessorConfig, options: ImageProcessorOptions = {}): ImageProcessor {
  const cropRounding = options.cropRounding ?? 'floor';
  if (!cropRoundings.includes(cropRounding)) {
    throw new InvalidArgumentError(`unknown crop rounding '${String(cropRounding)}'; choose ${listChoices(cropRoundings)}`);
  }
  const resolved: Required<ImageProcessorOptions> = { padToSquare: options.padToSquare ?? false, cropRounding };
  const outputSize = fixedOutputSize(config);
  const tables = levelTables(config);
  const background = meanBackground(config.imageMean);

  function process(image: RgbImage): Float32Array {
    let current = resolved.padToSquare ? padToSquare(image, background) : image;
    if (config.doResize) {
      const [height, width] = resizeOutputSize(current.width, current.height, config.size);
      current = resizePillow(current, width, height, config.resample);
    }
    if (config.doCenterCrop) current = centerCrop(current, config.cropSize.height, config.cropSize.width, resolved.cropRounding);
    const [height, width] = outputSize;
    if (current.height !== height || current.width !== width) {
      throw new InvalidArgumentError(`processed image is ${current.width}x${current.height}, expected ${width}x${height}`);
    }
    // HWC uint8 -> CHW float32: [3, H, W]
    const plane = width * height;
    const out = new Float32Array(3 * plane);
    const src = current.data;
    const [red, green, blue] = tables as [Float32Array, Float32Array, Float32Array];
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      out[i] = red[src[p]!]!;
      out[plane + i] = green[src[p + 1]!]!;
      out[2 * plane + i] = blue[src[p + 2]!]!;
    }
    return out;
  }

  async function preprocess(images: readonly ImageSource[]): Promise<Tensor> {
    const [height, width] = outputSize;
    const plane = 3 * height * width;
    const data = new Float32Array(images.length * plane);
    for (let b = 0; b < images.length; b++) data.set(process(await decodeImage(images[b]!)), b * plane);
    return tensor(data, [images.length, 3, height, width]); // [B, 3, H, W]
  }

  return { outputSize, config, options: resolved, process, preprocess };
}
