import { formatCsv } from '@mmvp/results';
import type { GradedQuestion } from './grade-answers';
import { pairAccuracy, type AccuracySummary } from './pair-accuracy';
import { patternTable, type PatternRow } from './pattern-table';

/** The numbers of one MMVP grading (what scores.json holds besides provenance). */
export interface MmvpScores extends AccuracySummary {
  /** Responses the rule grader could not read, or judge replies that were neither yes nor no. */
  readonly undetermined: number;
  /** Per visual pattern, when a question -> pattern map was given. */
  readonly perPattern?: readonly PatternRow[];
  /** Pairs whose two questions map to different patterns (counted under the first one's). */
  readonly mixedPatternPairs?: readonly number[];
}

/**
 * Summarizes graded questions: accuracies, undetermined count, and a per-pattern table when
 * `patternOf` maps question ids to patterns (`order` = the patterns to list first).
 */
export function summarizeMmvp(graded: readonly GradedQuestion[], options: { patternOf?: ReadonlyMap<number, string>; order?: readonly string[] } = {}): MmvpScores {
  const summary = pairAccuracy(graded);
  const undetermined = graded.filter((g) => g.extracted === 'undetermined' || g.judgeVerdict === 'undetermined').length;
  if (options.patternOf === undefined) return { ...summary, undetermined };
  const patternOf = options.patternOf;
  const { rows, mixedPairs } = patternTable(
    graded.map((g) => ({ ...g, pattern: patternOf.get(g.questionId) ?? '(no pattern)' })),
    options.order,
  );
  return { ...summary, undetermined, perPattern: rows, mixedPatternPairs: mixedPairs };
}

/** graded.csv: one row per question, RFC 4180 quoting. */
export function gradedCsv(graded: readonly GradedQuestion[], patternOf?: ReadonlyMap<number, string>): string {
  const header = ['question_id', 'pair_id', 'pattern', 'answer', 'correct', 'extracted', 'rule', 'judge_verdict', 'judge_reply', 'judge_cached', 'response'];
  const rows = graded.map((g) => [
    g.questionId,
    g.pairId,
    patternOf?.get(g.questionId) ?? '',
    `(${g.answer})`,
    g.correct ? 1 : 0,
    g.extracted ?? '',
    g.rule ?? '',
    g.judgeVerdict ?? '',
    g.judgeReply ?? '',
    g.judgeCached === undefined ? '' : g.judgeCached ? 1 : 0,
    g.response,
  ]);
  return formatCsv([header, ...rows]);
}

/** A short markdown report: headline numbers and, when present, the per-pattern table. */
export function scoresMarkdown(scores: MmvpScores, context: { title: string; grader: string; labels: string }): string {
  const lines = [
    `# ${context.title}`,
    '',
    `Grader: ${context.grader}. Labels: ${context.labels}.`,
    '',
    '| metric | value |',
    '|---|---|',
    `| MMVP pair accuracy (paper metric) | ${scores.pairAccuracy.toFixed(1)} (${scores.correctPairs}/${scores.pairs} pairs) |`,
    `| per-question accuracy | ${scores.questionAccuracy.toFixed(1)} (${scores.correctQuestions}/${scores.questions}) |`,
    `| undetermined | ${scores.undetermined} |`,
  ];
  if (scores.perPattern !== undefined) {
    lines.push('', '| pattern | pairs | pair accuracy | question accuracy |', '|---|---|---|---|');
    for (const row of scores.perPattern) lines.push(`| ${row.pattern} | ${row.pairs} | ${row.pairAccuracy.toFixed(1)} | ${row.questionAccuracy.toFixed(1)} |`);
  }
  return lines.join('\n') + '\n';
}
