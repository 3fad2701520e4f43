import { accuracyWithIntervals, type GradedResult } from '@mmvp/metrics';

type Interval = readonly [number, number];

/** One pair scored as a whole (MMVP-VLM rule, the image-only probe): its pattern and outcome. */
export interface PairOutcome {
  readonly pattern: string;
  readonly correct: boolean;
}

/** Pair accuracy per visual pattern with 95% Wilson intervals. */
export interface PatternScoresWithIntervals {
  /** Correct pairs / pairs per pattern x 100. */
  readonly perPattern: Record<string, number>;
  /** 95% Wilson interval of each pattern's score, over that pattern's pairs. */
  readonly perPatternCi95: Record<string, Interval>;
  /** 95% Wilson interval of the average, over all pairs (equal pairs per pattern: the average is the overall pair accuracy). */
  readonly averageCi95: Interval;
}

/**
 * accuracyWithIntervals of @mmvp/metrics for pairs with a single outcome: each pair enters as one
 * graded result, so its pair accuracy is the share of correct pairs and the interval is the same
 * Wilson interval over pairs as the MLLM scores'.
 */
function singleOutcomeInterval(outcomes: readonly boolean[]): Interval {
  const results: GradedResult[] = outcomes.map((correct, pairId) => ({ questionId: pairId, pairId, correct }));
  return accuracyWithIntervals(results).pairAccuracyCi95;
}

/** Per-pattern scores with intervals from per-pair outcomes (in benchmark order). */
export function patternScoresWithIntervals(patterns: readonly string[], pairs: readonly PairOutcome[]): PatternScoresWithIntervals {
  const perPattern: Record<string, number> = {};
  const perPatternCi95: Record<string, Interval> = {};
  for (const pattern of patterns) {
    const mine = pairs.filter((pair) => pair.pattern === pattern).map((pair) => pair.correct);
    // count correct pairs, then scale once: summing 100 / n n times can exceed 100 in floating point
    perPattern[pattern] = mine.length === 0 ? 0 : (100 * mine.filter(Boolean).length) / mine.length;
    perPatternCi95[pattern] = mine.length === 0 ? [0, 0] : singleOutcomeInterval(mine);
  }
  return { perPattern, perPatternCi95, averageCi95: singleOutcomeInterval(pairs.map((pair) => pair.correct)) };
}

/** Mean of per-pattern scores, in the given pattern order. */
export function averageOf(patterns: readonly string[], scores: Record<string, number>): number {
  return patterns.reduce((sum, pattern) => sum + scores[pattern]!, 0) / patterns.length;
}
