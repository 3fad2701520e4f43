import { InvalidArgumentError, NumericError } from '@mmvp/core';
import { percent } from './pair-accuracy';

/**
 * One MMVP-VLM pair as a CLIP model sees it: `logits[t][i]` = logit of statement t against image i
 * (CLIP's `logits_per_text`, i.e. logit_scale * cosine similarity), statement/image 1 first.
 */
export interface VlmPairLogits {
  readonly pattern: string;
  readonly logits: readonly [readonly [number, number], readonly [number, number]];
}

/** One MMVP-VLM pair: its pattern and whether both statements picked their own image. */
export interface VlmPairScore {
  readonly pattern: string;
  /** P(image 1 | statement t), softmax over the two images. */
  readonly probabilityImage1: readonly [number, number];
  /** Image each statement picked (1 or 2). */
  readonly predictions: readonly [1 | 2, 1 | 2];
  readonly correct: boolean;
}

/** Correct pairs and score (0-100) of one visual pattern. */
export interface VlmPatternScore {
  readonly pattern: string;
  readonly pairs: number;
  readonly correctPairs: number;
  /** correct pairs / pairs x 100 (15 pairs per pattern in the release: steps of 6.67). */
  readonly score: number;
}

/** MMVP-VLM scores: per pattern, the average, and every pair. */
export interface VlmScores {
  readonly pairs: readonly VlmPairScore[];
  readonly perPattern: readonly VlmPatternScore[];
  /** Mean of the per-pattern scores: the paper's "MMVP Average". */
  readonly average: number;
  /** Correct pairs / all pairs x 100 (equals `average` when every pattern has the same count). */
  readonly overall: number;
}

/**
 * The MMVP-VLM rule of the official `evaluate_vlm.py` (DESIGN 1.4): for each statement, softmax over
 * the two images; the statement picks image 1 if P(image 1) > 0.5, else image 2 (ties go to image
 * 2). Statement 1 must pick image 1 and statement 2 image 2; a pair counts only if both do.
 * Per-pattern score = correct pairs / pairs x 100, patterns in `order` first.
 */
export function scoreMmvpVlm(pairs: readonly VlmPairLogits[], order: readonly string[] = []): VlmScores {
  const scored = pairs.map((pair, index): VlmPairScore => {
    const probabilities = pair.logits.map((row, statement) => {
      if (row.length !== 2) throw new InvalidArgumentError(`pair ${index}: statement ${statement + 1} has ${row.length} logits; expected 2 (one per image)`);
      if (!Number.isFinite(row[0]) || !Number.isFinite(row[1])) throw new NumericError(`pair ${index}: statement ${statement + 1} has a non-finite logit (${row[0]}, ${row[1]})`);
      return softmaxFirst(row[0], row[1]);
    }) as [number, number];
    const predictions = probabilities.map((p) => (p > 0.5 ? 1 : 2)) as [1 | 2, 1 | 2];
    return { pattern: pair.pattern, probabilityImage1: probabilities, predictions, correct: predictions[0] === 1 && predictions[1] === 2 };
  });
  const groups = new Map<string, VlmPairScore[]>();
  for (const pair of scored) {
    const list = groups.get(pair.pattern);
    if (list === undefined) groups.set(pair.pattern, [pair]);
    else list.push(pair);
  }
  const names = [...order.filter((name) => groups.has(name)), ...[...groups.keys()].filter((name) => !order.includes(name))];
  const perPattern = names.map((pattern) => {
    const list = groups.get(pattern)!;
    const correctPairs = list.filter((pair) => pair.correct).length;
    return { pattern, pairs: list.length, correctPairs, score: percent(correctPairs, list.length) };
  });
  const average = perPattern.length === 0 ? 0 : perPattern.reduce((sum, row) => sum + row.score, 0) / perPattern.length;
  const overall = percent(scored.filter((pair) => pair.correct).length, scored.length);
  return { pairs: scored, perPattern, average, overall };
}

/** softmax([x, y])[0], computed stably in float64. */
function softmaxFirst(x: number, y: number): number {
  const max = Math.max(x, y);
  const ex = Math.exp(x - max);
  const ey = Math.exp(y - max);
  return ex / (ex + ey);
}
