import { InvalidArgumentError, parseWithSchema, type EncodeOptions, type ImageSource, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { createImageProcessor, loadPreprocessorConfig, type ImageProcessor } from '@mmvp/image';
import { createVisionTower, reportInt8Warning, resolveModelFolder, siglipVisionNaming, type Int8LoadReport, type ResolvedTap } from '@mmvp/onnx';
import { siglipVisionConfig } from './siglip-config';
import { siglipEncoderOptionsSchema, type SiglipEncoderOptions } from './siglip-encoder-options';

/** SigLIP's vision tower as a VisionEncoderV1, plus its tap resolution. */
export interface SiglipVisionEncoder extends VisionEncoderV1 {
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
 * SigLIP's vision tower from a Hugging Face ONNX export (`onnx/vision_model.onnx`: pixel_values ->
 * last_hidden_state, pooler_output), as transformers.js and onnx-community publish it. SigLIP has no
 * class token: every token is a patch token (tokens 'patch' and 'all' are the same; 'cls' is an error).
 * Taps: `{ kind: 'layer', layer: k }` = hidden_states[k] (0 = patch + position embeddings, there is no
 * pre-LayerNorm), `{ kind: 'prenorm' }` = the encoder output before `post_layernorm`, `{ kind: 'last' }` =
 * the post-norm patch tokens. `embedPixels` returns `pooler_output`, the attention-pooling head's output,
 * which is SigLIP's image embedding.
 *
 * @example
 * ```ts
 * import { createSiglipVisionEncoder } from '@mmvp/encoder-siglip';
 *
 * const siglip = await createSiglipVisionEncoder({ modelPath: 'models/tiny-siglip' });
 * const pixels = await siglip.preprocess(['cat.jpg']); // [1, 3, H, W]
 * const features = await siglip.encodePixels(pixels, { tap: { kind: 'layer', layer: -2 }, tokens: 'patch' }); // [1, N, D]
 * console.log(features.dims);
 * ```
 */
export async function createSiglipVisionEncoder(options: SiglipEncoderOptions): Promise<SiglipVisionEncoder> {
  const settings = parseWithSchema(siglipEncoderOptionsSchema, options, 'SigLIP encoder options');
  const folder = await resolveModelFolder(settings.modelPath, ['preprocessor_config.json']);
  const config = siglipVisionConfig(folder.config, folder.configPath);
  const imageSize: [number, number] = [config.image_size, config.image_size];
  const tower = await createVisionTower({
    onnxPath: folder.onnxPath('vision_model', settings.dtype),
    naming: siglipVisionNaming,
    numLayers: config.num_hidden_layers,
    outputs: ['last_hidden_state', 'pooler_output'],
    pooledOutput: 'pooler_output', // [B, E] the attention-pooling head
    prefixTokens: 0, // no class token
    imageSize,
    modelName: 'SigLIP',
    sessionOptions: { executionProvider: settings.executionProvider, intraOpThreads: settings.intraOpThreads },
    batchSize: settings.batchSize,
    cacheDir: settings.cacheDir,
  });
  reportInt8Warning(tower.int8?.warning ?? null, settings.onWarning);
  const preprocessorConfig = await loadPreprocessorConfig(folder.preprocessorConfigPath!);
  let processor: ImageProcessor | undefined;
  const getProcessor = () => (processor ??= createImageProcessor(preprocessorConfig, { padToSquare: settings.padToSquare }));

  return {
    specificationVersion: 'v1',
    provider: 'siglip',
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
    async encodePixels(pixelValues: Tensor, encodeOptions: EncodeOptions): Promise<Tensor> {
      if (encodeOptions.tokens === 'cls') {
        throw new InvalidArgumentError(`SigLIP (${folder.dir}) has no class token, so tokens 'cls' does not exist; valid choices: 'patch', 'all' (the same for SigLIP)`);
      }
      return tower.encodePixels(pixelValues, encodeOptions); // [B, N, D]
    },
    embedPixels: tower.embedPixels, // [B, E]
    async dispose(): Promise<void> {
      tower.dispose(); // sessions stay in @mmvp/onnx's shared cache; releaseSessions() frees them
    },
  };
}
