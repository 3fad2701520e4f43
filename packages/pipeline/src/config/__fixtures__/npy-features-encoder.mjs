// A test component: a VisionEncoderV1 whose features are read from a float32 .npy file
// (options.featuresPath) instead of computed, so config wiring (component loading, adapters,
// strategy) can be checked against PyTorch tokens without running an encoder model.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

async function readNpy(path) {
  const bytes = await readFile(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const dims = header
    .match(/'shape': \(([^)]*)\)/)[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const start = 10 + headerLength;
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  return { data, dims };
}

const optionsSchema = z.object({ modelPath: z.string(), executionProvider: z.string().optional(), featuresPath: z.string(), provider: z.string().default('npy') }).strict();

export default {
  specificationVersion: 'v1',
  kind: 'vision-encoder',
  optionsSchema,
  async create(options) {
    const features = await readNpy(options.featuresPath); // [B, N, D]
    const side = Math.round(Math.sqrt(features.dims[1]));
    return {
      specificationVersion: 'v1',
      provider: options.provider,
      modelId: options.modelPath,
      hiddenSize: features.dims[2],
      imageSize: [side * 14, side * 14],
      patchGrid: [side, side],
      async preprocess(images) {
        return { data: new Float32Array(images.length * 3 * side * 14 * side * 14), dims: [images.length, 3, side * 14, side * 14] };
      },
      async encodePixels(pixels) {
        const count = pixels.dims[0];
        const per = features.dims[1] * features.dims[2];
        return { data: features.data.slice(0, count * per), dims: [count, features.dims[1], features.dims[2]] };
      },
      async embedPixels() {
        throw new Error('not used');
      },
      async dispose() {},
    };
  },
};
