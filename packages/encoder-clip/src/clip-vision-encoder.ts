import { assertShape, parseWithSchema, type EncodeOptions, type ImageSource, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { createImageProcessor, loadPreprocessorConfig, type ImageProcessor } from '@mmvp/image';
import {
  checkSessionNames,
  clipVisionNaming,
  getSession,
  ortToTensor,
  resolveModelFolder,
  resolveTap,
  runInBatches,
  selectTokens,
  tensorToOrt,
  type ResolvedTap,
  type SessionOptions,
} from '@mmvp/onnx';
import { clipVisionConfig } from './clip-config';
import { clipEncoderOptionsSchema, type ClipEncoderOptions } from './clip-encoder-options';

export interface ClipVisionEncoder extends VisionEncoderV1 {
  /** The ONNX file behind it. */
  readonly onnxPath: string;
  /** Encoder depth L (hidden_states has L + 1 entries). */
  readonly numLayers: number;
  /** Where a tap is read from (resolved once per tap and cached). */
  resolveTap(tap: EncodeOptions['tap']): Promise<ResolvedTap>;
}

/**
 * CLIP's vision tower from a Hugging Face ONNX export (`onnx/vision_model.onnx`: pixel_values ->
 * image_embeds, last_hidden_state). Intermediate layers (LLaVA's hidden_states[-2]) come from a graph
 * tap; sessions are shared per file.
 */
export async function createClipVisionEncoder(options: ClipEncoderOptions): Promise<ClipVisionEncoder> {
  const settings = parseWithSchema(clipEncoderOptionsSchema, options, 'CLIP encoder options');
  const folder = await resolveModelFolder(settings.modelPath, ['preprocessor_config.json']);
  const config = clipVisionConfig(folder.config, folder.configPath);
  const onnxPath = folder.onnxPath('vision_model', settings.dtype);
  const sessionOptions: SessionOptions = { executionProvider: settings.executionProvider, intraOpThreads: settings.intraOpThreads };
  const base = await getSession(onnxPath, sessionOptions);
  checkSessionNames(base, { inputs: ['pixel_values'], outputs: ['image_embeds', 'last_hidden_state'] }, onnxPath);
  const preprocessorConfig = await loadPreprocessorConfig(folder.preprocessorConfigPath!);
  let processor: ImageProcessor | undefined;
  const getProcessor = () => (processor ??= createImageProcessor(preprocessorConfig, { padToSquare: settings.padToSquare, cropRounding: settings.cropRounding }));
  const imageSize: [number, number] = [config.image_size, config.image_size];
  const patchGrid: [number, number] = [Math.floor(imageSize[0] / config.patch_size), Math.floor(imageSize[1] / config.patch_size)];
  const taps = new Map<string, Promise<ResolvedTap>>();
  const tapFor = (tap: EncodeOptions['tap']) => {
    const key = JSON.stringify(tap);
    let resolved = taps.get(key);
    if (!resolved) {
      resolved = resolveTap(onnxPath, tap, { naming: clipVisionNaming, numLayers: config.num_hidden_layers, cacheDir: settings.cacheDir });
      taps.set(key, resolved);
      resolved.catch(() => taps.delete(key));
    }
    return resolved;
  };
  const checkPixels = (pixelValues: Tensor) => assertShape(pixelValues, [null, 3, imageSize[0], imageSize[1]], 'CLIP pixel_values', ['B']);

  return {
    specificationVersion: 'v1',
    provider: 'clip',
    modelId: folder.dir,
    hiddenSize: config.hidden_size,
    imageSize,
    patchGrid,
    onnxPath,
    numLayers: config.num_hidden_layers,
    resolveTap: tapFor,
    async preprocess(images: readonly ImageSource[]): Promise<Tensor> {
      return getProcessor().preprocess(images); // [B, 3, H, W]
    },
    async encodePixels(pixelValues: Tensor, encodeOptions: EncodeOptions): Promise<Tensor> {
      checkPixels(pixelValues);
      const tap = await tapFor(encodeOptions.tap);
      const session = await getSession(tap.modelPath, sessionOptions);
      return runInBatches(
        pixelValues,
        settings.batchSize,
        async (chunk) => {
          const out = await session.run({ pixel_values: tensorToOrt(chunk) }, [tap.outputName]);
          return selectTokens(ortToTensor(out[tap.outputName]!, `${onnxPath} ${tap.outputName}`), encodeOptions.tokens); // [b, T, D]
        },
        encodeOptions.signal,
      );
    },
    async embedPixels(pixelValues: Tensor, embedOptions: { signal?: AbortSignal } = {}): Promise<Tensor> {
      checkPixels(pixelValues);
      return runInBatches(
        pixelValues,
        settings.batchSize,
        async (chunk) => {
          const out = await base.run({ pixel_values: tensorToOrt(chunk) }, ['image_embeds']);
          return ortToTensor(out.image_embeds!, `${onnxPath} image_embeds`); // [b, E]
        },
        embedOptions.signal,
      );
    },
    async dispose(): Promise<void> {
      // Sessions are shared through @mmvp/onnx's cache (another encoder may use the same file);
      // releaseSessions() frees them all.
      taps.clear();
    },
  };
}
