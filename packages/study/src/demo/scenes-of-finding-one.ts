import { patternTable, type GradedResult } from '@mmvp/metrics';
import { PATTERNS } from '@mmvp/synth';
import type { ModelScores } from './model-scores';
import type { EvalSet } from './synth-eval-set';

type PatternResult = GradedResult & { readonly pattern: string };

/**
 * A LLaVA model's results on finding 1's scenes only, for the correlation with the MMVP-VLM table:
 * when the LLaVA models answer a larger set of the same seed (llavaPairsPerPattern), its first
 * `pairsPerPattern` pairs of each pattern are the same scenes as finding 1's set (MMVP-Synth draws
 * pair j of a pattern from the seed, the pattern and j alone), so pair k lines up with the
 * MMVP-VLM pair k. Per-pattern pair accuracy is recomputed over those pairs. With one set for
 * everything it is the model's results unchanged.
 */
export function scenesOfFindingOne(
  model: Pick<ModelScores, 'results' | 'entry'>,
  llavaSet: Pick<EvalSet, 'rowInfo'>,
  pairsPerPattern: number,
  llavaPairsPerPattern: number,
): { results: readonly PatternResult[]; perPattern: Record<string, number> } {
  if (llavaPairsPerPattern === pairsPerPattern) return { results: model.results, perPattern: model.entry.perPattern };
  // MMVP pair numbers run in pattern blocks of llavaPairsPerPattern: keep the first pairsPerPattern of each block
  const kept = model.results.filter((result) => {
    const pair = llavaSet.rowInfo.get(result.questionId)?.pair;
    return pair != null && (pair - 1) % llavaPairsPerPattern < pairsPerPattern;
  });
  const table = patternTable(kept, PATTERNS);
  const perPattern = Object.fromEntries(PATTERNS.map((pattern) => [pattern, table.rows.find((row) => row.pattern === pattern)?.pairAccuracy ?? 0]));
  return { results: kept, perPattern };
}
