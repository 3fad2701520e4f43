/**
 * The resampling filters of Pillow's `Resample.c`, with the same support radii and the same
 * floating-point expressions (so the precomputed weights round the same way).
 */
export interface ResampleFilter {
  readonly name: string;
  /** Radius of the kernel in source pixels before scaling by the downscale factor. */
  readonly support: number;
  /** The filter kernel at distance `x` (in source pixels, before scaling). */
  readonly weight: (x: number) => number;
}

const hammingAlpha = Math.fround(0.54); // Pillow writes 0.54f and 0.46f (float constants)
const hammingBeta = Math.fround(0.46);

function box(x: number): number {
  return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
}

function bilinear(x: number): number {
  const t = x < 0 ? -x : x;
  return t < 1.0 ? 1.0 - t : 0.0;
}

function hamming(x: number): number {
  let t = x < 0 ? -x : x;
  if (t === 0.0) return 1.0;
  if (t >= 1.0) return 0.0;
  t = t * Math.PI;
  return (Math.sin(t) / t) * (hammingAlpha + hammingBeta * Math.cos(t));
}

/** Keys cubic convolution with a = -0.5. */
function bicubic(x: number): number {
  const a = -0.5;
  const t = x < 0 ? -x : x;
  if (t < 1.0) return ((a + 2.0) * t - (a + 3.0)) * t * t + 1;
  if (t < 2.0) return (((t - 5) * t + 8) * t - 4) * a;
  return 0.0;
}

function sinc(x: number): number {
  if (x === 0.0) return 1.0;
  const t = x * Math.PI;
  return Math.sin(t) / t;
}

function lanczos(x: number): number {
  return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
}

/** Pillow's resample codes: 0 NEAREST, 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING. */
export type ResampleCode = 0 | 1 | 2 | 3 | 4 | 5;

/** Pillow's name of each resample code, for messages. */
export const resampleNames: Readonly<Record<ResampleCode, string>> = {
  0: 'nearest',
  1: 'lanczos',
  2: 'bilinear',
  3: 'bicubic',
  4: 'box',
  5: 'hamming',
};

/** The convolution filter for a code; NEAREST (0) has none (it is a pixel lookup, see resizeNearest). */
export const resampleFilters: Readonly<Record<Exclude<ResampleCode, 0>, ResampleFilter>> = {
  1: { name: 'lanczos', support: 3.0, weight: lanczos },
  2: { name: 'bilinear', support: 1.0, weight: bilinear },
  3: { name: 'bicubic', support: 2.0, weight: bicubic },
  4: { name: 'box', support: 0.5, weight: box },
  5: { name: 'hamming', support: 1.0, weight: hamming },
};
