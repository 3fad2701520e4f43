import type { ImageSource, Tensor, VisionEncoderV1 } from '@mmvp/core';

/** Rows of [B, E] scaled to unit length. */
function unitRows(t: Tensor): Float32Array[] {
  const [rows, width] = t.dims as [number, number];
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = t.data.slice(r * width, (r + 1) * width); // [E]
    let norm = 0;
    for (const v of row) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < width; i++) row[i]! /= norm;
    out.push(row);
  }
  return out;
}

/** Dot product of two equal-length vectors (the cosine when both are unit length). */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Pooled embeddings of many images in batches: [N] unit vectors of [E]. */
export async function pooledEmbeddings(encoder: VisionEncoderV1, images: readonly ImageSource[], signal?: AbortSignal, batch = 32): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < images.length; start += batch) {
    signal?.throwIfAborted();
    const pixels = await encoder.preprocess(images.slice(start, start + batch)); // [b, 3, H, W]
    out.push(...unitRows(await encoder.embedPixels(pixels))); // [b, E]
  }
  return out;
}
