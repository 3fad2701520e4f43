import { parseWithSchema, type EncodeOptions, type ImageSource, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { createImageProcessor, loadPreprocessorConfig, type ImageProcessor } from '@mmvp/image';
import { clipVisionNaming, createVisionTower, reportInt8Warning, resolveModelFolder, type Int8LoadReport, type ResolvedTap } from '@mmvp/onnx';
import { clipVisionConfig } from './clip-config';
import { clipEncoderOptionsSchema, type ClipEncoderOptions } from './clip-encoder-options';

/** CLIP's vision tower as a VisionEncoderV1, plus its tap resolution. */
export interface ClipVisionEncoder extends VisionEncoderV1 {
  /** The ONNX file behind it. */
  readonly onnxPath: string;
  /** Encoder depth L (hidden_states has L + 1 entries). */
  readonly numLayers: number;
  /** For an 8-bit file (`dtype` int8, uint8, quantized): its quantization format and the saturation warning, if any. */
  readonly int8: Int8LoadReport | null;
  /** Where a tap is read from (resolved once per tap and cached). */
  resolveTap(tap: EncodeOptions['tap']): Promise<ResolvedTap>;
}

/**
 * CLIP's vision tower from a Hugging Face ONNX export (`onnx/vision_model.onnx`: pixel_values ->
 * image_embeds, last_hidden_state). Intermediate layers (LLaVA's hidden_states[-2]) come from a graph
 * tap; sessions are shared per file.
 *
 * @example
 * ```ts
 * import { createClipVisionEncoder } from '@mmvp/encoder-clip';
 *
 * const clip = await createClipVisionEncoder({ modelPath: 'models/tiny-clip' });
 * try {
 *   const pixels = await clip.preprocess(['cat.jpg']); // [1, 3, H, W]
 *   // LLaVA's features: hidden_states[-2], patch tokens only
 *   const features = await clip.encodePixels(pixels, { tap: { kind: 'layer', layer: -2 }, tokens: 'patch' }); // [1, N, D]
 *   console.log(features.dims);
 * } finally {
 *   await clip.dispose();
 * }
 * ```
 */
export async function createClipVisionEncoder(options: ClipEncoderOptions): Promise<ClipVisionEncoder> {
  const settings = parseWithSchema(clipEncoderOptionsSchema, options, 'CLIP encoder options');
  const folder = await resolveModelFolder(settings.modelPath, ['preprocessor_config.json']);
  const config = clipVisionConfig(folder.config, folder.configPath);
  const imageSize: [number, number] = [config.image_size, config.image_size];
  const tower = await createVisionTower({
    onnxPath: folder.onnxPath('vision_model', settings.dtype),
    naming: clipVisionNaming,
    numLayers: config.num_hidden_layers,
    outputs: ['image_embeds', 'last_hidden_state'],
    pooledOutput: 'image_embeds', // [B, E] projected
    imageSize,
    modelName: 'CLIP',
    sessionOptions: { executionProvider: settings.executionProvider, intraOpThreads: settings.intraOpThreads },
    batchSize: settings.batchSize,
    cacheDir: settings.cacheDir,
  });
  reportInt8Warning(tower.int8?.warning ?? null, settings.onWarning);
  const preprocessorConfig = await loadPreprocessorConfig(folder.preprocessorConfigPath!);
  let processor: ImageProcessor | undefined;
  const getProcessor = () => (processor ??= createImageProcessor(preprocessorConfig, { padToSquare: settings.padToSquare, cropRounding: settings.cropRounding }));

  return {
    specificationVersion: 'v1',
    provider: 'clip',
    modelId: folder.dir,
    hiddenSize: config.hidden_size,
    imageSize,
    patchGrid: [Math.floor(imageSize[0] / config.patch_size), Math.floor(imageSize[1] / config.patch_size)],
    onnxPath: tower.onnxPath,
    numLayers: tower.numLayers,
    int8: tower.int8,
    resolveTap: tower.resolveTap,
    async preprocess(images: readonly ImageSource[]): Promise<Tensor> {
      return getProcessor().preprocess(images); // [B, 3, H, W]
    },
    encodePixels: tower.encodePixels, // [B, T, D]
    embedPixels: tower.embedPixels, // [B, E]
    async dispose(): Promise<void> {
      // Sessions are shared through @mmvp/onnx's cache (another encoder may use the same file);
      // releaseSessions() frees them all.
      tower.dispose();
    },
  };
}
