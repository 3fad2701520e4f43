import { fileURLToPath } from 'node:url';
import { tensor, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { createPixelProcessors, decodeForModels } from '../decode-core';
import type { MiningModel } from '../embed-collection';
import type { ModelIdentity } from '../model-identity';
import type { PixelProcessorSpec } from '../pixel-processor';

const fakeSize = 8;
export const fakeProcessor: PixelProcessorSpec = { kind: 'module', module: fileURLToPath(new URL('./fake-processor.mjs', import.meta.url)), options: { size: fakeSize } };

/**
 * Two fake encoders with known blind spots, for tests that need an answer set by hand:
 * - 'colour' (stands in for CLIP): the mean R, G, B plus a constant, so it cannot see layout;
 * - 'layout' (stands in for DINOv2): 2x2 block means minus the channel mean, so it sees layout and
 *   not the overall colour. A picture and its mirror image are then "CLIP-blind".
 */
export function fakeEncoder(kind: 'colour' | 'layout'): VisionEncoderV1 & { embeddedImages: number } {
  const hiddenSize = kind === 'colour' ? 4 : 12;
  const encoder = {
    specificationVersion: 'v1' as const,
    provider: `fake-${kind}`,
    modelId: `fake-${kind}`,
    hiddenSize,
    imageSize: [fakeSize, fakeSize] as const,
    patchGrid: [2, 2] as const,
    embeddedImages: 0,
    async preprocess(images: readonly (string | Uint8Array)[]): Promise<Tensor> {
      const processors = await createPixelProcessors([fakeProcessor]);
      const parts: Float32Array[] = [];
      for (const image of images) {
        if (typeof image !== 'string') throw new Error('fake encoder takes paths');
        const result = await decodeForModels(image, processors);
        if (!result.ok) throw new Error(result.message);
        parts.push(result.pixels[0]!);
      }
      const data = new Float32Array(parts.length * 3 * fakeSize * fakeSize);
      parts.forEach((p, i) => data.set(p, i * p.length));
      return tensor(data, [parts.length, 3, fakeSize, fakeSize]);
    },
    async encodePixels(): Promise<Tensor> {
      throw new Error('not used by mining');
    },
    async embedPixels(pixels: Tensor): Promise<Tensor> {
      const batch = pixels.dims[0]!;
      encoder.embeddedImages += batch;
      const out = new Float32Array(batch * hiddenSize); // [B, E]
      const plane = fakeSize * fakeSize;
      for (let b = 0; b < batch; b++) {
        const image = pixels.data.subarray(b * 3 * plane, (b + 1) * 3 * plane);
        for (let c = 0; c < 3; c++) {
          let mean = 0;
          for (let i = 0; i < plane; i++) mean += image[c * plane + i]!;
          mean /= plane;
          if (kind === 'colour') {
            out[b * hiddenSize + c] = mean;
            continue;
          }
          for (let block = 0; block < 4; block++) {
            const by = Math.floor(block / 2) * (fakeSize / 2);
            const bx = (block % 2) * (fakeSize / 2);
            let sum = 0;
            for (let y = by; y < by + fakeSize / 2; y++) for (let x = bx; x < bx + fakeSize / 2; x++) sum += image[c * plane + y * fakeSize + x]!;
            out[b * hiddenSize + c * 4 + block] = sum / (plane / 4) - mean;
          }
        }
        if (kind === 'colour') out[b * hiddenSize + 3] = 0.05;
      }
      return tensor(out, [batch, hiddenSize]);
    },
    async dispose(): Promise<void> {},
  };
  return encoder;
}

function fakeIdentity(kind: 'colour' | 'layout', variant = 0): ModelIdentity {
  return {
    name: `fake-${kind}`,
    folder: `/fake/${kind}`,
    onnxFile: 'onnx/model.onnx',
    onnxSha256: (variant === 0 ? 'a' : 'b').repeat(63) + (kind === 'colour' ? '1' : '2'),
    embedding: kind === 'colour' ? 'mean colour' : 'block layout',
    dimension: kind === 'colour' ? 4 : 12,
    preprocessing: { fake: fakeSize },
  };
}

export function fakeModels(variant = 0): { clip: MiningModel; dino: MiningModel } {
  return {
    clip: { key: 'clip', encoder: fakeEncoder('colour'), processor: fakeProcessor, identity: fakeIdentity('colour', variant) },
    dino: { key: 'dino', encoder: fakeEncoder('layout'), processor: fakeProcessor, identity: fakeIdentity('layout') },
  };
}
