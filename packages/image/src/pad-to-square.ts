import { rgbImage, type RgbImage } from './rgb-image';

/**
 * LLaVA-1.5's `expand2square`: pads the short side to make a square, with the image centred
 * (offset `(long - short) // 2`) on a background of `[r, g, b]`. LLaVA passes
 * `tuple(int(x * 255) for x in image_processor.image_mean)`; see `meanBackground`.
 */
export function padToSquare(image: RgbImage, background: readonly [number, number, number]): RgbImage {
  const { width, height } = image;
  if (width === height) return image;
  const side = Math.max(width, height);
  const out = new Uint8Array(side * side * 3);
  for (let i = 0; i < out.length; i += 3) {
    out[i] = background[0];
    out[i + 1] = background[1];
    out[i + 2] = background[2];
  }
  const left = width > height ? 0 : Math.floor((side - width) / 2);
  const top = width > height ? Math.floor((side - height) / 2) : 0;
  for (let y = 0; y < height; y++) {
    out.set(image.data.subarray(y * width * 3, (y + 1) * width * 3), ((y + top) * side + left) * 3);
  }
  return rgbImage(out, side, side);
}

/** LLaVA's background colour: `int(x * 255)` of each channel mean (truncation, as Python's int()). */
export function meanBackground(imageMean: readonly [number, number, number]): [number, number, number] {
  return [Math.trunc(imageMean[0] * 255), Math.trunc(imageMean[1] * 255), Math.trunc(imageMean[2] * 255)];
}
