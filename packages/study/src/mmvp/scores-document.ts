import type { LabelSet, MmvpQuestionSet } from '@mmvp/datasets';
import type { MmvpScores } from '@mmvp/metrics';

/** A per-pattern row with its intervals. */
export type PatternRowWithIntervals = NonNullable<MmvpScores['perPattern']>[number] & {
  readonly pairAccuracyCi95: readonly [number, number];
  readonly questionAccuracyCi95: readonly [number, number];
};

/** scores.json */
export interface ScoresDocument extends Omit<MmvpScores, 'perPattern'> {
  readonly benchmark: 'MMVP';
  /** 95% Wilson intervals over pairs (accuracyWithIntervals of @mmvp/metrics), percent. */
  readonly pairAccuracyCi95: readonly [number, number];
  readonly questionAccuracyCi95: readonly [number, number];
  readonly perPattern?: readonly PatternRowWithIntervals[];
  readonly grader: Record<string, unknown>;
  readonly labels: LabelSet;
  readonly labelCorrections: MmvpQuestionSet['labelCorrections'];
  readonly skippedQuestions: readonly number[];
  /** Pairs left out by the answering run and why (eval-mllm only). */
  readonly skippedPairs?: readonly { readonly pairId: number; readonly reason: string }[];
  readonly inputs: Record<string, unknown>;
  readonly provenance: Record<string, unknown>;
}
