import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decodeNpy } from '@mmvp/core';

// The preprocessing references the image tests of the library (preprocess-reference.test.ts) and of the CLI
// (apps/cli/test/preprocess.test.ts) share: Python's pixel_values and a float comparison.

/** The folder of tools/make_image_fixtures.py's outputs (ends in a slash). */
export const pillowFixtures = fileURLToPath(new URL('./pillow/', import.meta.url));

/** Python's pixel_values [3, H, W] (tools/make_image_fixtures.py, Pillow 9.4 + the HF processor steps in numpy), a .npy.gz in the fixtures. */
export function pillowReference(name: string): { data: Float32Array; dims: readonly number[] } {
  const npy = decodeNpy(gunzipSync(readFileSync(`${pillowFixtures}${name}`)), name);
  return { data: npy.data as Float32Array, dims: npy.dims };
}

/** The largest absolute difference of two arrays of the same length (an Error when the lengths differ). */
export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`maxAbsDifference: lengths differ (${a.length} and ${b.length})`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
