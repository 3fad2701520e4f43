import { rgbImage, type RgbImage } from './rgb-image';

/**
 * How the crop offset is rounded when (size - crop) is odd:
 * - `floor`: Hugging Face's image processors, `(size - crop) // 2`.
 * - `round`: torchvision's `CenterCrop` (OpenAI CLIP's `clip.load` preprocess),
 *   `int(round((size - crop) / 2))`, where Python rounds halves to even.
 * They differ by one pixel for some sizes; MMVP-VLM used OpenAI's, LLaVA (MMVP) Hugging Face's.
 */
export type CropRounding = 'floor' | 'round';

/** Both crop-offset roundings, for validation and error messages. */
export const cropRoundings: readonly CropRounding[] = ['floor', 'round'];

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Offset of the crop window in the image along one axis; negative when the image is smaller than the
 * crop (then it is padded with zeros: HF puts ceil(missing / 2) before, torchvision floor(missing / 2)).
 */
export function cropOffset(size: number, crop: number, rounding: CropRounding): number {
  if (size >= crop) return rounding === 'floor' ? Math.floor((size - crop) / 2) : roundHalfToEven((size - crop) / 2);
  return rounding === 'floor' ? -Math.ceil((crop - size) / 2) : -Math.floor((crop - size) / 2);
}

/** Center crop to [cropHeight, cropWidth], padding with black where the image is smaller. */
export function centerCrop(image: RgbImage, cropHeight: number, cropWidth: number, rounding: CropRounding): RgbImage {
  const top = cropOffset(image.height, cropHeight, rounding);
  const left = cropOffset(image.width, cropWidth, rounding);
  if (top === 0 && left === 0 && cropHeight === image.height && cropWidth === image.width) return image;
  const out = new Uint8Array(cropHeight * cropWidth * 3);
  const x0 = Math.max(0, left);
  const x1 = Math.min(image.width, left + cropWidth);
  for (let yy = 0; yy < cropHeight; yy++) {
    const y = yy + top;
    if (y < 0 || y >= image.height || x1 <= x0) continue;
    const from = (y * image.width + x0) * 3;
    out.set(image.data.subarray(from, from + (x1 - x0) * 3), (yy * cropWidth + (x0 - left)) * 3);
  }
  return rgbImage(out, cropWidth, cropHeight);
}
