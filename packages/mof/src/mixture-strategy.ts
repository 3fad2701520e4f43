import type { Tensor } from '@mmvp/core';

/**
 * The MMVP study's strategies: `clip` only and `dino` only (baselines), `additive` (A-MoF: mix
 * encoder features token-wise, then ONE adapter) and `interleaved` (I-MoF: one adapter per encoder,
 * then tokens c0, d0, c1, d1, ...).
 */
export type MixtureStrategyName = 'clip' | 'dino' | 'additive' | 'interleaved';
/** Every mixture strategy name, for validation and error messages. */
export const mixtureStrategyNames: readonly MixtureStrategyName[] = ['clip', 'dino', 'additive', 'interleaved'];

/** Encoder features, patch tokens only: [B, N, D]. Grids default to square. */
export interface MixtureFeatures {
  readonly clip?: Tensor;
  readonly dino?: Tensor;
  /** Patch grid [rows, cols] of the CLIP tokens (VisionEncoderV1.patchGrid). */
  readonly clipGrid?: readonly [number, number];
  /** Patch grid [rows, cols] of the DINOv2 tokens. */
  readonly dinoGrid?: readonly [number, number];
}

/** Which encoders a strategy reads. */
export function requiredEncoders(strategy: MixtureStrategyName): readonly ('clip' | 'dino')[] {
  if (strategy === 'clip') return ['clip'];
  if (strategy === 'dino') return ['dino'];
  return ['clip', 'dino'];
}

/** One ratio's tokens from a sweep. */
export interface MixtureSweepResult {
  readonly dinoRatio: number;
  /** [B, N, H] */
  readonly tokens: Tensor;
}
