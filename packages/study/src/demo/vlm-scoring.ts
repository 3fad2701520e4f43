import type { TextEncoderV1, VisionEncoderV1 } from '@mmvp/core';
import type { MmvpVlmDataset } from '@mmvp/datasets';
import { evaluateMmvpVlm } from '@mmvp/metrics';
import { PATTERNS } from '@mmvp/synth';
import { patternScoresWithIntervals, type PairOutcome, type PatternScoresWithIntervals } from './pattern-intervals';

/** MMVP-VLM scoring of one CLIP model: per-pattern pair accuracy with intervals and the average. */
export interface VlmScoring extends PatternScoresWithIntervals {
  readonly average: number;
  /** Per pair, in the benchmark's order: its pattern and whether both statements picked their own image. */
  readonly pairs: readonly PairOutcome[];
}

/**
 * The tiny CLIP on MMVP-VLM by the official rule ("a photo of " + statement, softmax over the pair's
 * two images, both statements must pick their own image), with 95% Wilson intervals over pairs.
 */
export async function scoreClipOnMmvpVlm(
  vlm: MmvpVlmDataset,
  encoders: { vision: VisionEncoderV1; text: TextEncoderV1 },
  options: { signal?: AbortSignal | undefined; onProgress?: (done: number, total: number) => void },
): Promise<VlmScoring> {
  const result = await evaluateMmvpVlm(vlm.pairs, {
    vision: encoders.vision,
    text: encoders.text,
    order: PATTERNS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const pairs = result.rows.map((row) => ({ pattern: row.pattern, correct: row.correct }));
  const withIntervals = patternScoresWithIntervals([...PATTERNS], pairs);
  // the scores themselves are evaluateMmvpVlm's (the eval-vlm command's numbers); the intervals come from its per-pair rows
  const perPattern = Object.fromEntries(result.perPattern.map((row) => [row.pattern, row.score]));
  return { ...withIntervals, perPattern, average: result.average, pairs };
}
