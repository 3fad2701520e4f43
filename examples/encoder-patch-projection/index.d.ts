import type { z } from 'zod';

export interface Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** The VisionEncoderV1 shape of @mmvp/core, restated so this package needs no mmvp dependency. */
export interface PatchProjectionEncoder {
  readonly specificationVersion: 'v1';
  readonly provider: 'patch-projection';
  readonly modelId: string;
  readonly hiddenSize: number;
  readonly imageSize: readonly [number, number];
  readonly patchGrid: readonly [number, number];
  preprocess(images: readonly (string | Uint8Array)[]): Promise<Tensor>;
  encodePixels(pixelValues: Tensor, options: { tokens: 'patch' | 'cls' | 'all'; tap?: unknown; signal?: AbortSignal }): Promise<Tensor>;
  embedPixels(pixelValues: Tensor, options?: { signal?: AbortSignal }): Promise<Tensor>;
  dispose(): Promise<void>;
}

export interface PatchProjectionOptions {
  modelPath?: string;
  executionProvider?: string;
  /** Square input size S (default 32). */
  imageSize?: number;
  /** Patch size P (default 8): N = (S / P)^2 tokens. */
  patchSize?: number;
  /** Token width D (default 64). */
  hiddenSize?: number;
  seed?: number;
}

export function createPatchProjectionEncoder(options?: PatchProjectionOptions): Promise<PatchProjectionEncoder>;

declare const component: {
  readonly specificationVersion: 'v1';
  readonly kind: 'vision-encoder';
  readonly optionsSchema: z.ZodTypeAny;
  create(options: unknown): Promise<PatchProjectionEncoder>;
};
export default component;
