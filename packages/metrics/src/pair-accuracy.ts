import { InvalidArgumentError } from '@mmvp/core';

/** One graded question: which pair it belongs to and whether it was answered right. */
export interface GradedResult {
  readonly questionId: number;
  readonly pairId: number;
  readonly correct: boolean;
}

/** MMVP's two accuracies, as counts and percentages (0-100). */
export interface AccuracySummary {
  readonly questions: number;
  readonly correctQuestions: number;
  /** Per-question accuracy in percent (lmms-eval's `mmvp_accuracy`, VLMEvalKit's "Average"). */
  readonly questionAccuracy: number;
  readonly pairs: number;
  readonly correctPairs: number;
  /** The paper's MMVP score in percent: a pair counts only if both of its questions are right. */
  readonly pairAccuracy: number;
}

/**
 * Per-question and pair accuracy. A pair scores only if both of its questions are right (random
 * guessing gives 25%). Every pair must have exactly its two results: a pair with one or three is an
 * error (a partial answer file must not silently score half pairs).
 */
export function pairAccuracy(results: readonly GradedResult[]): AccuracySummary {
  const fast = consecutivePairs(results);
  if (fast !== undefined) return fast;
  const byPair = new Map<number, GradedResult[]>();
  for (const result of results) {
    const list = byPair.get(result.pairId);
    if (list === undefined) byPair.set(result.pairId, [result]);
    else list.push(result);
  }
  let correctPairs = 0;
  for (const [pairId, list] of byPair) {
    if (list.length !== 2) {
      throw new InvalidArgumentError(`pair ${pairId} has ${list.length} graded question(s) (${list.map((r) => r.questionId).join(', ')}); a pair needs exactly 2`);
    }
    if (list[0]!.correct && list[1]!.correct) correctPairs++;
  }
  const correctQuestions = results.filter((result) => result.correct).length;
  return {
    questions: results.length,
    correctQuestions,
    questionAccuracy: percent(correctQuestions, results.length),
    pairs: byPair.size,
    correctPairs,
    pairAccuracy: percent(correctPairs, byPair.size),
  };
}

/** `part / whole * 100`; 0 for an empty whole (nothing to score is reported by the counts). */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : (part / whole) * 100;
}

/**
 * The common case without a Map: results come as consecutive pairs (both questions of a pair next
 * to each other, pair ids increasing). Returns undefined for any other layout (the general path
 * then groups by pair id and reports malformed pairs).
 */
function consecutivePairs(results: readonly GradedResult[]): AccuracySummary | undefined {
  if (results.length % 2 !== 0) return undefined;
  let correctPairs = 0;
  let correctQuestions = 0;
  let previousPair = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < results.length; i += 2) {
    const first = results[i]!;
    const second = results[i + 1]!;
    if (first.pairId !== second.pairId || first.pairId <= previousPair) return undefined;
    previousPair = first.pairId;
    if (first.correct) correctQuestions++;
    if (second.correct) correctQuestions++;
    if (first.correct && second.correct) correctPairs++;
  }
  const pairs = results.length / 2;
  return {
    questions: results.length,
    correctQuestions,
    questionAccuracy: percent(correctQuestions, results.length),
    pairs,
    correctPairs,
    pairAccuracy: percent(correctPairs, pairs),
  };
}
