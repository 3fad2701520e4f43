import { assertShape, type EncodeOptions, type Tensor } from '@mmvp/core';
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
}

/** The onnxruntime part of a ViT vision encoder: what CLIP and DINOv2 share. */
export interface VisionTower {
  readonly onnxPath: string;
  readonly numLayers: number;
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
