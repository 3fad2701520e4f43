import { InvalidArgumentError } from '@mmvp/core';

/**
 * A decoded 8-bit RGB image in row-major order: `data[(y * width + x) * 3 + c]`, [H, W, 3] uint8.
 * Every step of the processor works on this one layout, as Pillow's `convert('RGB')` output.
 */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Wraps pixels as an RgbImage, checking that the buffer holds exactly width * height * 3 bytes. */
export function rgbImage(data: Uint8Array, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidArgumentError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new InvalidArgumentError(`an RGB image of ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}`);
  }
  return { data, width, height };
}
