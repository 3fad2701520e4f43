import { readFile } from 'node:fs/promises';
import { tensor, type VisionEncoderV1 } from '@mmvp/core';
import { describeModel, type MiningModel } from '@mmvp/mining';
import { sha256Bytes } from '@mmvp/results';

/** A mining model (store key, encoder, its identity and the decode workers' preprocessing) from a loaded encoder. */
export async function miningModel(key: 'clip' | 'dino', encoder: VisionEncoderV1, onnxPath: string, preprocessorConfigPath: string, embedding: string): Promise<MiningModel> {
  // The embedding width (CLIP's projection size is not the hidden size): one forward pass on zeros.
  const [height, width] = encoder.imageSize;
  const probe = await encoder.embedPixels(tensor(new Float32Array(3 * height * width), [1, 3, height, width])); // [1, E]
  const identity = await describeModel({
    folder: encoder.modelId,
    onnxPath,
    embedding,
    dimension: probe.dims[1]!,
    preprocessing: { preprocessorConfigSha256: sha256Bytes(await readFile(preprocessorConfigPath)), padToSquare: false, cropRounding: 'floor' },
  });
  return { key, encoder, identity, processor: { kind: 'image-processor', preprocessorConfigPath, padToSquare: false, cropRounding: 'floor' } };
}
