import { formatCsv, formatMarkdownTable } from '@mmvp/results';
import type { ScoresDocument } from './scores-document';

/** `16.3 [10.4, 22.2]`: a percent with its 95% interval. */
function withInterval(value: number, ci: readonly [number, number]): string {
  return `${value.toFixed(1)} [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}]`;
}

/** scores.csv: the whole set, then one row per pattern; accuracies as `16.3 [10.4, 22.2]` (95% Wilson interval over pairs). */
export function mmvpScoresCsv(document: ScoresDocument): string {
  const header = ['scope', 'pairs', 'correct_pairs', 'pair_accuracy_ci95', 'questions', 'correct_questions', 'question_accuracy_ci95'];
  const rows: (string | number)[][] = [
    [
      'all',
      document.pairs,
      document.correctPairs,
      withInterval(document.pairAccuracy, document.pairAccuracyCi95),
      document.questions,
      document.correctQuestions,
      withInterval(document.questionAccuracy, document.questionAccuracyCi95),
    ],
  ];
  for (const row of document.perPattern ?? []) {
    rows.push([row.pattern, row.pairs, row.correctPairs, withInterval(row.pairAccuracy, row.pairAccuracyCi95), row.questions, row.correctQuestions, withInterval(row.questionAccuracy, row.questionAccuracyCi95)]);
  }
  return formatCsv([header, ...rows]);
}

/** scores.md: headline numbers with their intervals and, when present, the per-pattern table. */
export function mmvpScoresMarkdown(document: ScoresDocument, context: { title: string; grader: string; labels: string }): string {
  const lines = [
    `# ${context.title}`,
    '',
    `Grader: ${context.grader}. Labels: ${context.labels}. Intervals: 95% Wilson over pairs (questions: Wilson on the design-effect sample size, pairs as clusters).`,
    '',
    formatMarkdownTable(
      ['metric', 'value'],
      [
        ['MMVP pair accuracy (paper metric)', `${withInterval(document.pairAccuracy, document.pairAccuracyCi95)} (${document.correctPairs}/${document.pairs} pairs)`],
        ['per-question accuracy', `${withInterval(document.questionAccuracy, document.questionAccuracyCi95)} (${document.correctQuestions}/${document.questions})`],
        ['undetermined', document.undetermined],
      ],
    ),
  ];
  if (document.perPattern !== undefined) {
    const rows = document.perPattern.map((row) => [row.pattern, row.pairs, withInterval(row.pairAccuracy, row.pairAccuracyCi95), withInterval(row.questionAccuracy, row.questionAccuracyCi95)]);
    lines.push('', formatMarkdownTable(['pattern', 'pairs', 'pair accuracy', 'question accuracy'], rows));
  }
  return lines.join('\n') + '\n';
}
