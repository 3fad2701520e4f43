import { join, resolve } from 'node:path';
import { assertShape, ModelLoadError, parseWithSchema, type EncodeOptions, type ImageSource, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { createImageProcessor, loadPreprocessorConfig, type ImageProcessor } from '@mmvp/image';
import {
  checkSessionNames,
  dinov2Naming,
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
import { dinov2ConfigSchema } from './dinov2-config';
import { dinov2EncoderOptionsSchema, type Dinov2EncoderOptions } from './dinov2-encoder-options';

export interface Dinov2Encoder extends VisionEncoderV1 {
  readonly onnxPath: string;
  readonly numLayers: number;
  /** Which preprocessor_config.json the images go through. */
  readonly preprocessorConfigPath: string;
  resolveTap(tap: EncodeOptions['tap']): Promise<ResolvedTap>;
}

/**
 * DINOv2 from a Hugging Face ONNX export (`onnx/model.onnx`: pixel_values -> last_hidden_state,
 * pooler_output). MMVP's features are `x_prenorm` (the last block's output before the final LayerNorm),
 * read through a graph tap. `embedPixels` returns pooler_output (the layer-normed CLS token).
 */
export async function createDinov2Encoder(options: Dinov2EncoderOptions): Promise<Dinov2Encoder> {
  const settings = parseWithSchema(dinov2EncoderOptionsSchema, options, 'DINOv2 encoder options');
  const folder = await resolveModelFolder(settings.modelPath);
  const config = parseWithSchema(dinov2ConfigSchema, folder.config, folder.configPath);
  const onnxPath = folder.onnxPath('model', settings.dtype);
  const sessionOptions: SessionOptions = { executionProvider: settings.executionProvider, intraOpThreads: settings.intraOpThreads };
  const base = await getSession(onnxPath, sessionOptions);
  checkSessionNames(base, { inputs: ['pixel_values'], outputs: ['last_hidden_state', 'pooler_output'] }, onnxPath);
  const preprocessorConfigPath =
    settings.processor === 'clip' ? join(resolve(settings.clipModelPath!), 'preprocessor_config.json') : folder.preprocessorConfigPath;
  if (!preprocessorConfigPath) throw new ModelLoadError(`model folder ${folder.dir} has no preprocessor_config.json (or use processor 'clip' with clipModelPath)`);
  const preprocessorConfig = await loadPreprocessorConfig(preprocessorConfigPath);
  const [height, width] = createImageProcessor(preprocessorConfig).outputSize;
  let processor: ImageProcessor | undefined;
  const getProcessor = () => (processor ??= createImageProcessor(preprocessorConfig, { padToSquare: settings.padToSquare, cropRounding: settings.cropRounding }));
  const prefixTokens = 1 + (config.num_register_tokens ?? 0);
  const taps = new Map<string, Promise<ResolvedTap>>();
  const tapFor = (tap: EncodeOptions['tap']) => {
    const key = JSON.stringify(tap);
    let resolved = taps.get(key);
    if (!resolved) {
      resolved = resolveTap(onnxPath, tap, { naming: dinov2Naming, numLayers: config.num_hidden_layers, cacheDir: settings.cacheDir });
      taps.set(key, resolved);
      resolved.catch(() => taps.delete(key));
    }
    return resolved;
  };
  const checkPixels = (pixelValues: Tensor) => assertShape(pixelValues, [null, 3, height, width], 'DINOv2 pixel_values', ['B']);

  return {
    specificationVersion: 'v1',
    provider: 'dinov2',
    modelId: folder.dir,
    hiddenSize: config.hidden_size,
    imageSize: [height, width],
    patchGrid: [Math.floor(height / config.patch_size), Math.floor(width / config.patch_size)],
    onnxPath,
    numLayers: config.num_hidden_layers,
    preprocessorConfigPath,
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
          return selectTokens(ortToTensor(out[tap.outputName]!, `${onnxPath} ${tap.outputName}`), encodeOptions.tokens, prefixTokens); // [b, T, D]
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
          const out = await base.run({ pixel_values: tensorToOrt(chunk) }, ['pooler_output']);
          return ortToTensor(out.pooler_output!, `${onnxPath} pooler_output`); // [b, D]
        },
        embedOptions.signal,
      );
    },
    async dispose(): Promise<void> {
      taps.clear();
    },
  };
}
