// mmvp-example-encoder: a vision encoder package that is NOT part of mmvp, to show that a pipeline
// config can swap encoders by package name. It is plain ESM JavaScript (no build step) and
// implements the VisionEncoderV1 contract of @mmvp/core:
//   image -> sharp resize to S x S (fill) -> scale to [-1, 1] -> pixel_values [B, 3, S, S]
//   -> cut into P x P patches -> a fixed random linear projection (seeded) of each patch -> [B, N, D]
// It has no trained weights; it exists to prove the plumbing (and makes a fine "null" baseline).
import sharp from 'sharp';
import { z } from 'zod';

const optionsSchema = z
  .object({
    /** Accepted because pipeline configs always name a model folder; this encoder has no files to read. */
    modelPath: z.string().optional(),
    executionProvider: z.string().optional(),
    imageSize: z.number().int().positive().default(32),
    patchSize: z.number().int().positive().default(8),
    hiddenSize: z.number().int().positive().default(64),
    seed: z.number().int().default(0),
  })
  .strict();

/** mulberry32: a small seeded generator, so the projection is the same on every machine. */
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Projection weights [D, 3 * P * P], uniform in +-sqrt(3 / fanIn) (unit variance per output). */
function projectionWeights(hiddenSize, fanIn, seed) {
  const random = createRandom(seed);
  const scale = Math.sqrt(3 / fanIn);
  const weights = new Float32Array(hiddenSize * fanIn);
  for (let i = 0; i < weights.length; i++) weights[i] = (random() * 2 - 1) * scale;
  return weights;
}

/**
 * Creates the encoder.
 * @param {unknown} rawOptions
 * @returns {Promise<import('./index.d.ts').PatchProjectionEncoder>}
 */
export async function createPatchProjectionEncoder(rawOptions = {}) {
  const options = optionsSchema.parse(rawOptions);
  const { imageSize: S, patchSize: P, hiddenSize: D, seed } = options;
  if (S % P !== 0) throw new Error(`mmvp-example-encoder: imageSize ${S} must be a multiple of patchSize ${P}`);
  const grid = S / P;
  const fanIn = 3 * P * P;
  const weights = projectionWeights(D, fanIn, seed); // [D, 3*P*P]

  async function preprocess(images) {
    const data = new Float32Array(images.length * 3 * S * S); // [B, 3, S, S]
    for (const [b, image] of images.entries()) {
      const { data: rgb } = await sharp(image).removeAlpha().resize(S, S, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true }); // [S, S, 3]
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          for (let c = 0; c < 3; c++) data[((b * 3 + c) * S + y) * S + x] = rgb[(y * S + x) * 3 + c] / 127.5 - 1;
        }
      }
    }
    return { data, dims: [images.length, 3, S, S] };
  }

  /** Patch tokens [B, N, D]; 'cls' is their mean [B, 1, D]; 'all' puts that mean first [B, 1 + N, D]. */
  async function encodePixels(pixelValues, encodeOptions) {
    const [B, C, H, W] = pixelValues.dims;
    if (C !== 3 || H !== S || W !== S) throw new Error(`mmvp-example-encoder: pixel_values must be [B, 3, ${S}, ${S}], got [${pixelValues.dims.join(', ')}]`);
    const N = grid * grid;
    const patches = new Float32Array(B * N * D); // [B, N, D]
    const patch = new Float32Array(fanIn);
    for (let b = 0; b < B; b++) {
      for (let gy = 0; gy < grid; gy++) {
        for (let gx = 0; gx < grid; gx++) {
          let k = 0;
          for (let c = 0; c < 3; c++) {
            for (let y = 0; y < P; y++) {
              for (let x = 0; x < P; x++) patch[k++] = pixelValues.data[((b * 3 + c) * S + gy * P + y) * S + gx * P + x];
            }
          }
          const out = (b * N + gy * grid + gx) * D;
          for (let d = 0; d < D; d++) {
            let sum = 0;
            for (let i = 0; i < fanIn; i++) sum += weights[d * fanIn + i] * patch[i];
            patches[out + d] = sum;
          }
        }
      }
    }
    const tokens = encodeOptions?.tokens ?? 'patch';
    if (tokens === 'patch') return { data: patches, dims: [B, N, D] };
    const mean = new Float32Array(B * D); // [B, D]
    for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) mean[b * D + d] += patches[(b * N + n) * D + d] / N;
    if (tokens === 'cls') return { data: mean, dims: [B, 1, D] };
    const all = new Float32Array(B * (N + 1) * D); // [B, 1 + N, D]
    for (let b = 0; b < B; b++) {
      all.set(mean.subarray(b * D, (b + 1) * D), b * (N + 1) * D);
      all.set(patches.subarray(b * N * D, (b + 1) * N * D), (b * (N + 1) + 1) * D);
    }
    return { data: all, dims: [B, N + 1, D] };
  }

  return {
    specificationVersion: 'v1',
    provider: 'patch-projection',
    modelId: `patch-projection-${S}px-p${P}-d${D}-seed${seed}`,
    hiddenSize: D,
    imageSize: [S, S],
    patchGrid: [grid, grid],
    preprocess,
    encodePixels,
    /** Mean of the patch tokens, L2-normalised [B, D]. */
    async embedPixels(pixelValues) {
      const pooled = await encodePixels(pixelValues, { tokens: 'cls' }); // [B, 1, D]
      const [B] = pooled.dims;
      for (let b = 0; b < B; b++) {
        let norm = 0;
        for (let d = 0; d < D; d++) norm += pooled.data[b * D + d] ** 2;
        norm = Math.sqrt(norm) || 1;
        for (let d = 0; d < D; d++) pooled.data[b * D + d] /= norm;
      }
      return { data: pooled.data, dims: [B, D] };
    },
    async dispose() {},
  };
}

/** The ComponentModule a pipeline config's `"use": "mmvp-example-encoder"` loads. */
export default {
  specificationVersion: 'v1',
  kind: 'vision-encoder',
  optionsSchema,
  create: createPatchProjectionEncoder,
};
