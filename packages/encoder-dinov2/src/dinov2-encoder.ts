import { join, resolve } from 'node:path';
import { ModelLoadError, parseWithSchema, type EncodeOptions, type ImageSource, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { createImageProcessor, loadPreprocessorConfig, type ImageProcessor } from '@mmvp/image';
import { createVisionTower, dinov2Naming, reportInt8Warning, resolveModelFolder, type Int8LoadReport, type ResolvedTap } from '@mmvp/onnx';
import { parseDinov2Config } from './dinov2-config';
import { dinov2EncoderOptionsSchema, type Dinov2EncoderOptions } from './dinov2-encoder-options';

/** DINOv2 as a VisionEncoderV1, plus its tap resolution. */
export interface Dinov2Encoder extends VisionEncoderV1 {
  readonly onnxPath: string;
  readonly numLayers: number;
  /** For an 8-bit file (`dtype` int8, uint8, quantized): its quantization format and the saturation warning, if any. */
  readonly int8: Int8LoadReport | null;
  /** Which preprocessor_config.json the images go through. */
  readonly preprocessorConfigPath: string;
  /** Which graph output a tap reads (and the rewritten graph that exposes it). */
  resolveTap(tap: EncodeOptions['tap']): Promise<ResolvedTap>;
}

/**
 * DINOv2 from a Hugging Face ONNX export (`onnx/model.onnx`: pixel_values -> last_hidden_state,
 * pooler_output). MMVP's features are `x_prenorm` (the last block's output before the final LayerNorm),
 * read through a graph tap. `embedPixels` returns pooler_output (the layer-normed CLS token).
 *
 * @example
 * ```ts
 * import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
 *
 * // MMVP's Mixture-of-Features feeds DINOv2 the CLIP-preprocessed image
 * const dino = await createDinov2Encoder({ modelPath: 'models/tiny-dinov2', processor: 'clip', clipModelPath: 'models/tiny-clip' });
 * try {
 *   const pixels = await dino.preprocess(['cat.jpg']); // [1, 3, H, W]
 *   const features = await dino.encodePixels(pixels, { tap: { kind: 'prenorm' }, tokens: 'patch' }); // [1, N, D]
 *   console.log(features.dims);
 * } finally {
 *   await dino.dispose();
 * }
 * ```
 */
export async function createDinov2Encoder(options: Dinov2EncoderOptions): Promise<Dinov2Encoder> {
  const settings = parseWithSchema(dinov2EncoderOptionsSchema, options, 'DINOv2 encoder options');
  const folder = await resolveModelFolder(settings.modelPath);
  const config = parseDinov2Config(folder.config, folder.configPath);
  const preprocessorConfigPath = settings.processor === 'clip' ? join(resolve(settings.clipModelPath!), 'preprocessor_config.json') : folder.preprocessorConfigPath;
  if (!preprocessorConfigPath) throw new ModelLoadError(`model folder ${folder.dir} has no preprocessor_config.json (or use processor 'clip' with clipModelPath)`);
  const preprocessorConfig = await loadPreprocessorConfig(preprocessorConfigPath);
  const [height, width] = createImageProcessor(preprocessorConfig).outputSize;
  let processor: ImageProcessor | undefined;
  const getProcessor = () => (processor ??= createImageProcessor(preprocessorConfig, { padToSquare: settings.padToSquare, cropRounding: settings.cropRounding }));
  const tower = await createVisionTower({
    onnxPath: folder.onnxPath('model', settings.dtype),
    naming: dinov2Naming,
    numLayers: config.num_hidden_layers,
    outputs: ['last_hidden_state', 'pooler_output'],
    pooledOutput: 'pooler_output', // [B, D] layer-normed CLS
    prefixTokens: 1 + (config.num_register_tokens ?? 0), // CLS + registers
    imageSize: [height, width],
    modelName: 'DINOv2',
    sessionOptions: { executionProvider: settings.executionProvider, intraOpThreads: settings.intraOpThreads },
    batchSize: settings.batchSize,
    cacheDir: settings.cacheDir,
  });
  reportInt8Warning(tower.int8?.warning ?? null, settings.onWarning);

  return {
    specificationVersion: 'v1',
    provider: 'dinov2',
    modelId: folder.dir,
    hiddenSize: config.hidden_size,
    imageSize: [height, width],
    patchGrid: [Math.floor(height / config.patch_size), Math.floor(width / config.patch_size)],
    onnxPath: tower.onnxPath,
    numLayers: tower.numLayers,
    int8: tower.int8,
    preprocessorConfigPath,
    resolveTap: tower.resolveTap,
    async preprocess(images: readonly ImageSource[]): Promise<Tensor> {
      return getProcessor().preprocess(images); // [B, 3, H, W]
    },
    encodePixels: tower.encodePixels, // [B, T, D]
    embedPixels: tower.embedPixels, // [B, D]
    async dispose(): Promise<void> {
      tower.dispose();
    },
  };
}
