import { basename } from 'node:path';
import { assertShape, type EncodeOptions, type Tensor } from '@mmvp/core';
import { currentCpuFeatures, int8KernelInfo, type CpuFeatures } from './cpu-features';
import { int8SaturationWarning } from './int8-warning';
import { describeQuantizationFormat, isEightBitFileName, readQuantizationFormatFile, type QuantizationFormat } from './quantization-format';
import { resolveTap, type GraphNaming, type ResolvedTap } from './graph-tap';
import { checkFiniteOutput } from './numeric-check';
import { checkSessionNames, getSession, type SessionOptions } from './session-cache';
import { ortToTensor, tensorToOrt } from './tensor-conversion';
import { runInBatches, selectTokens } from './token-selection';

/** Options of a vision tower: ONNX file, graph naming, layer count, outputs and prefix tokens. */
export interface VisionTowerOptions {
  /** The ViT's ONNX export (input `pixel_values`). */
  readonly onnxPath: string;
  /** How the exporter named the modules, for graph taps. */
  readonly naming: GraphNaming;
  /** Encoder depth L from config.json. */
  readonly numLayers: number;
  /** Outputs the export must have (checked when the tower is created; errors list the real names). */
  readonly outputs: readonly string[];
  /** The output `embedPixels` returns (CLIP: `image_embeds`; DINOv2: `pooler_output`). */
  readonly pooledOutput: string;
  /** Tokens before the patches (CLS, plus registers where a model has them); 'patch' drops them. */
  readonly prefixTokens?: number;
  /** [H, W] that `pixel_values` must have. */
  readonly imageSize: readonly [number, number];
  /** Names the model in shape errors ('CLIP' -> "CLIP pixel_values"). */
  readonly modelName: string;
  readonly sessionOptions: SessionOptions;
  /** Images per session.run call. */
  readonly batchSize: number;
  /** Where rewritten (tapped) models go; see resolveTap. */
  readonly cacheDir?: string;
  /** The CPU whose int8 kernels the saturation warning judges (default: this process's, from /proc/cpuinfo). */
  readonly cpu?: CpuFeatures;
}

/** What a tower found in an 8-bit file (`_int8`, `_uint8`, `_quantized`): its format, and a warning where this CPU saturates it. */
export interface Int8LoadReport {
  readonly format: QuantizationFormat | null;
  /** One line: 'int8 weights: u8s8 (...), per-tensor, weights in [-127, 127]: ...'. */
  readonly description: string;
  /** One line when the file's u8s8 weights use the full range and this CPU has no VNNI; else null. */
  readonly warning: string | null;
}

/** The onnxruntime part of a ViT vision encoder: what CLIP and DINOv2 share. */
export interface VisionTower {
  readonly onnxPath: string;
  readonly numLayers: number;
  /** For an 8-bit file: the quantization format found and the saturation warning, if any; null for other files. */
  readonly int8: Int8LoadReport | null;
  /** Where a tap is read from (resolved once per tap and cached; a failed resolution is retried). */
  resolveTap(tap: EncodeOptions['tap']): Promise<ResolvedTap>;
  /** Features of the tapped layer, token-selected [B, T, D]. */
  encodePixels(pixelValues: Tensor, options: EncodeOptions): Promise<Tensor>;
  /** The pooled output of the export [B, E]. */
  embedPixels(pixelValues: Tensor, options?: { signal?: AbortSignal }): Promise<Tensor>;
  /** Forgets resolved taps; sessions stay in @mmvp/onnx's cache (releaseSessions() frees them). */
  dispose(): void;
}

/**
 * Opens a ViT export (`pixel_values` -> hidden states), checks its names, and serves tapped features and
 * pooled embeddings in batches of `batchSize`. Encoder packages stay thin: they say which files, which
 * outputs and which processor; this owns the sessions, taps and batching, so every encoder behaves alike.
 */
export async function createVisionTower(options: VisionTowerOptions): Promise<VisionTower> {
  const { onnxPath, naming, numLayers, pooledOutput, prefixTokens = 1, imageSize, sessionOptions, batchSize, cacheDir } = options;
  const base = await getSession(onnxPath, sessionOptions);
  checkSessionNames(base, { inputs: ['pixel_values'], outputs: options.outputs }, onnxPath);
  let int8: Int8LoadReport | null = null;
  if (isEightBitFileName(onnxPath)) {
    const format = await readQuantizationFormatFile(onnxPath);
    const kernel = int8KernelInfo(options.cpu ?? currentCpuFeatures());
    int8 = {
      format,
      description: `${basename(onnxPath)}: ${format ? describeQuantizationFormat(format) : 'no 8-bit quantized weights found'}`,
      warning: int8SaturationWarning(onnxPath, format, kernel),
    };
  }
  const taps = new Map<string, Promise<ResolvedTap>>();
  const tapFor = (tap: EncodeOptions['tap']) => {
    const key = JSON.stringify(tap);
    let resolved = taps.get(key);
    if (!resolved) {
      resolved = resolveTap(onnxPath, tap, { naming, numLayers, cacheDir });
      taps.set(key, resolved);
      resolved.catch(() => taps.delete(key));
    }
    return resolved;
  };
  const checkPixels = (pixelValues: Tensor) => assertShape(pixelValues, [null, 3, imageSize[0], imageSize[1]], `${options.modelName} pixel_values`, ['B']);

  return {
    onnxPath,
    numLayers,
    int8,
    resolveTap: tapFor,
    async encodePixels(pixelValues: Tensor, encodeOptions: EncodeOptions): Promise<Tensor> {
      checkPixels(pixelValues);
      const tap = await tapFor(encodeOptions.tap);
      const session = await getSession(tap.modelPath, sessionOptions);
      const features = await runInBatches(
        pixelValues,
        batchSize,
        async (chunk) => {
          const out = await session.run({ pixel_values: tensorToOrt(chunk) }, [tap.outputName]);
          return selectTokens(ortToTensor(out[tap.outputName]!, `${onnxPath} ${tap.outputName}`), encodeOptions.tokens, prefixTokens); // [b, T, D]
        },
        encodeOptions.signal,
      ); // [B, T, D]
      return checkFiniteOutput(features, onnxPath, tap.outputName);
    },
    async embedPixels(pixelValues: Tensor, embedOptions: { signal?: AbortSignal } = {}): Promise<Tensor> {
      checkPixels(pixelValues);
      const pooled = await runInBatches(
        pixelValues,
        batchSize,
        async (chunk) => {
          const out = await base.run({ pixel_values: tensorToOrt(chunk) }, [pooledOutput]);
          return ortToTensor(out[pooledOutput]!, `${onnxPath} ${pooledOutput}`); // [b, E]
        },
        embedOptions.signal,
      ); // [B, E]
      return checkFiniteOutput(pooled, onnxPath, pooledOutput);
    },
    dispose(): void {
      taps.clear();
    },
  };
}
