import { pairAccuracy, type AccuracySummary, type GradedResult } from './pair-accuracy';

/** One row of a per-pattern table. */
export interface PatternRow extends AccuracySummary {
  readonly pattern: string;
}

/**
 * Pair and question accuracy per visual pattern (the paper's Fig. 6 view). A pair's pattern is
 * that of its first question; `order` lists patterns first (e.g. the nine in benchmark order), the
 * rest follow in order of appearance. Returns the rows and the pairs whose two questions were mapped
 * to different patterns (reported, never silently merged).
 */
export function patternTable(results: readonly (GradedResult & { readonly pattern: string })[], order: readonly string[] = []): { rows: PatternRow[]; mixedPairs: number[] } {
  const patternOfPair = new Map<number, string>();
  const mixedPairs: number[] = [];
  const sorted = [...results].sort((x, y) => x.questionId - y.questionId);
  for (const result of sorted) {
    const known = patternOfPair.get(result.pairId);
    if (known === undefined) patternOfPair.set(result.pairId, result.pattern);
    else if (known !== result.pattern) mixedPairs.push(result.pairId);
  }
  const groups = new Map<string, GradedResult[]>();
  for (const result of sorted) {
    const pattern = patternOfPair.get(result.pairId)!;
    const list = groups.get(pattern);
    if (list === undefined) groups.set(pattern, [result]);
    else list.push(result);
  }
  const names = [...order.filter((name) => groups.has(name)), ...[...groups.keys()].filter((name) => !order.includes(name))];
  return { rows: names.map((pattern) => ({ pattern, ...pairAccuracy(groups.get(pattern)!) })), mixedPairs };
}
