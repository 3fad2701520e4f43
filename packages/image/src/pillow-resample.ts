import { InvalidArgumentError } from '@mmvp/core';
import { resampleFilters, resampleNames, type ResampleCode, type ResampleFilter } from './pillow-filters';
import { rgbImage, type RgbImage } from './rgb-image';

// A port of Pillow 9.4's `Image.resize(size, resample)` for 8-bit RGB images (src/libImaging/Resample.c
// for the convolution filters, Geometry.c's ImagingScaleAffine for NEAREST), without `box` or
// `reducing_gap`, which Hugging Face's processors do not pass. Same algorithm, same rounding:
// separable passes (horizontal first, into uint8, then vertical), weights normalised to sum 1 in
// float64 and then turned into 22-bit fixed point, sums started at one half and clipped to 0..255.

/** Fixed-point fraction bits for 8-bit images: 32 - 8 (result) - 2 (headroom for negative lobes). */
const precisionBits = 22;
const half = 1 << (precisionBits - 1);

/** Per output pixel: the first source pixel and how many follow, plus fixed-point weights. */
interface ResampleCoefficients {
  /** [outSize, 2]: first source index, number of taps. */
  readonly bounds: Int32Array;
  /** [outSize, kernelSize] fixed-point weights; unused taps are 0. */
  readonly weights: Int32Array;
  readonly kernelSize: number;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis, source span [0, inSize). */
function precomputeCoefficients(inSize: number, outSize: number, filter: ResampleFilter): ResampleCoefficients {
  const scale = inSize / outSize;
  const filterScale = scale < 1.0 ? 1.0 : scale; // upscaling keeps the kernel at its own size
  const support = filter.support * filterScale; // downscaling widens it: that is the antialiasing
  const kernelSize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * kernelSize);
  const taps = new Float64Array(kernelSize);
  const inverseScale = 1.0 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5); // C's (int) cast truncates toward zero
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    const count = xmax - xmin;
    let total = 0.0;
    for (let x = 0; x < count; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * inverseScale);
      taps[x] = w;
      total += w;
    }
    const base = xx * kernelSize;
    for (let x = 0; x < count; x++) {
      const k = total !== 0.0 ? taps[x]! / total : taps[x]!;
      // (int)(k * 2^22 +- 0.5): round half away from zero via truncation, as Pillow does
      weights[base + x] = k < 0 ? Math.trunc(-0.5 + k * (1 << precisionBits)) : Math.trunc(0.5 + k * (1 << precisionBits));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = count;
  }
  return { bounds, weights, kernelSize };
}

function clip8(sum: number): number {
  const value = sum >> precisionBits; // arithmetic shift = floor, as the C code's lookup index
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/** Horizontal pass over source rows [firstRow, firstRow + rows): [rows, outWidth, 3]. */
function resampleHorizontal(image: RgbImage, outWidth: number, firstRow: number, rows: number, c: ResampleCoefficients): Uint8Array {
  const src = image.data;
  const out = new Uint8Array(rows * outWidth * 3);
  const { bounds, weights, kernelSize } = c;
  const inStride = image.width * 3;
  for (let y = 0; y < rows; y++) {
    const rowStart = (y + firstRow) * inStride;
    let o = y * outWidth * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      const count = bounds[xx * 2 + 1]!;
      let p = rowStart + bounds[xx * 2]! * 3;
      let k = xx * kernelSize;
      let s0 = half;
      let s1 = half;
      let s2 = half;
      // int32 arithmetic like the C code: Pillow sizes PRECISION_BITS so that these sums never overflow
      for (let i = 0; i < count; i++, p += 3, k++) {
        const w = weights[k]!;
        s0 = (s0 + Math.imul(src[p]!, w)) | 0;
        s1 = (s1 + Math.imul(src[p + 1]!, w)) | 0;
        s2 = (s2 + Math.imul(src[p + 2]!, w)) | 0;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
    }
  }
  return out;
}

/**
 * Vertical pass: out row yy = sum over taps of source rows (bounds relative to `rowOffset`). Sums
 * run row by row over the whole line at once (integer sums, so the order does not change them).
 */
function resampleVertical(src: Uint8Array, width: number, outHeight: number, rowOffset: number, c: ResampleCoefficients): Uint8Array {
  const lineLength = width * 3;
  const out = new Uint8Array(outHeight * lineLength);
  const sums = new Int32Array(lineLength);
  const { bounds, weights, kernelSize } = c;
  for (let yy = 0; yy < outHeight; yy++) {
    sums.fill(half);
    const first = bounds[yy * 2]! - rowOffset;
    const count = bounds[yy * 2 + 1]!;
    const k = yy * kernelSize;
    let i = 0;
    // four taps per sweep over the line (fewer loads and stores of `sums`), then the rest one by one
    for (; i + 3 < count; i += 4) {
      const w0 = weights[k + i]!;
      const w1 = weights[k + i + 1]!;
      const w2 = weights[k + i + 2]!;
      const w3 = weights[k + i + 3]!;
      const r0 = (first + i) * lineLength;
      const r1 = r0 + lineLength;
      const r2 = r1 + lineLength;
      const r3 = r2 + lineLength;
      for (let x = 0; x < lineLength; x++) {
        sums[x] = (sums[x]! + Math.imul(src[r0 + x]!, w0) + Math.imul(src[r1 + x]!, w1) + Math.imul(src[r2 + x]!, w2) + Math.imul(src[r3 + x]!, w3)) | 0;
      }
    }
    for (; i < count; i++) {
      const w = weights[k + i]!;
      const rowStart = (first + i) * lineLength;
      for (let x = 0; x < lineLength; x++) sums[x] = (sums[x]! + Math.imul(src[rowStart + x]!, w)) | 0;
    }
    const o = yy * lineLength;
    for (let x = 0; x < lineLength; x++) out[o + x] = clip8(sums[x]!);
  }
  return out;
}

/**
 * Pillow's NEAREST resize (ImagingScaleAffine): source index = int(x0 + k * step) with x0 = step / 2,
 * where the position is accumulated by repeated addition in float64 exactly as the C loop does.
 */
function resizeNearest(image: RgbImage, width: number, height: number): RgbImage {
  const stepX = image.width / width;
  const stepY = image.height / height;
  const columns = new Int32Array(width);
  let xo = stepX * 0.5;
  for (let x = 0; x < width; x++) {
    columns[x] = Math.min(Math.trunc(xo), image.width - 1);
    xo += stepX;
  }
  const out = new Uint8Array(width * height * 3);
  const src = image.data;
  let yo = stepY * 0.5;
  for (let y = 0; y < height; y++) {
    const row = Math.min(Math.trunc(yo), image.height - 1) * image.width * 3;
    yo += stepY;
    let o = y * width * 3;
    for (let x = 0; x < width; x++) {
      const p = row + columns[x]! * 3;
      out[o++] = src[p]!;
      out[o++] = src[p + 1]!;
      out[o++] = src[p + 2]!;
    }
  }
  return rgbImage(out, width, height);
}

const validCodes: readonly ResampleCode[] = [0, 1, 2, 3, 4, 5];

/**
 * Resizes like Pillow's `image.resize((width, height), resample)` on an RGB image (no box, no
 * reducing_gap), pixel for pixel. Bicubic and bilinear antialias when downscaling, as Pillow does;
 * sharp's kernels do not give the same pixels, which is why this port exists.
 */
export function resizePillow(image: RgbImage, width: number, height: number, resample: ResampleCode): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidArgumentError(`resize target must be positive integers, got ${width}x${height}`);
  }
  if (!validCodes.includes(resample)) {
    const choices = validCodes.map((code) => `${code} (${resampleNames[code]})`);
    throw new InvalidArgumentError(`unknown resample filter ${String(resample)}; valid: ${choices.join(', ')}`);
  }
  if (width === image.width && height === image.height) return rgbImage(image.data.slice(), width, height);
  if (resample === 0) return resizeNearest(image, width, height);
  const filter = resampleFilters[resample];
  const needHorizontal = width !== image.width;
  const needVertical = height !== image.height;
  const vertical = precomputeCoefficients(image.height, height, filter);
  let pixels = image.data;
  let rowOffset = 0;
  if (needHorizontal) {
    // Only the source rows the vertical pass reads: from the first tap of row 0 to the last of the last row.
    const firstRow = vertical.bounds[0]!;
    const lastRow = vertical.bounds[height * 2 - 2]! + vertical.bounds[height * 2 - 1]!;
    const horizontal = precomputeCoefficients(image.width, width, filter);
    pixels = resampleHorizontal(image, width, firstRow, lastRow - firstRow, horizontal);
    rowOffset = firstRow;
  }
  if (needVertical) pixels = resampleVertical(pixels, width, height, rowOffset, vertical);
  return rgbImage(pixels, width, height);
}
