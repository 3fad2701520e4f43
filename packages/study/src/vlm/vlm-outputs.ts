import { formatWithInterval, type VlmPairRow } from '@mmvp/metrics';
import { formatMarkdownTable } from '@mmvp/results';
import type { VlmScoresDocument } from './vlm-scores-document';

/** Short column names of the paper's Table 1, in the benchmark's pattern order. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  'Orientation and Direction': 'Ori',
  'Presence of Specific Features': 'Pres',
  'State and Condition': 'State',
  'Quantity and Count': 'Qty',
  'Positional and Relational Context': 'Spat',
  'Color and Appearance': 'Color',
  'Structural Characteristics': 'Struct',
  Texts: 'Text',
  'Viewpoint and Perspective': 'View',
};

/** The per-pair CSV of the official script (qid1, qid2, pred1, pred2, gt1, gt2, q1score, q2score) plus pattern and logits (and SigLIP's sigmoid scores). */
export function vlmPairsCsv(rows: readonly VlmPairRow[]): string {
  const sigmoid = rows.some((row) => row.sigmoid !== undefined);
  const header = `qid1,qid2,pattern,pred1,pred2,gt1,gt2,q1score,q2score,correct,logit_t1_i1,logit_t1_i2,logit_t2_i1,logit_t2_i2${sigmoid ? ',sigmoid_t1_i1,sigmoid_t1_i2,sigmoid_t2_i1,sigmoid_t2_i2' : ''}`;
  const lines = rows.map((row) =>
    [
      row.qid1,
      row.qid2,
      `"${row.pattern.replace(/"/g, '""')}"`,
      row.pred1,
      row.pred2,
      'img1',
      'img2',
      row.probabilityImage1[0],
      row.probabilityImage1[1],
      row.correct ? 1 : 0,
      row.logits[0][0],
      row.logits[0][1],
      row.logits[1][0],
      row.logits[1][1],
      ...(sigmoid && row.sigmoid ? [row.sigmoid[0][0], row.sigmoid[0][1], row.sigmoid[1][0], row.sigmoid[1][1]] : []),
    ].join(','),
  );
  return [header, ...lines].join('\n') + '\n';
}

/**
 * One markdown row in the layout of the paper's Table 1, each score as `16.3 [10.4, 22.2]` (95%
 * bootstrap interval over pairs), then a line naming the skipped pairs when there are any.
 */
export function vlmScoresMarkdown(document: VlmScoresDocument, model: string): string {
  const names = document.perPattern.map((row) => SHORT_NAMES[row.pattern] ?? row.pattern);
  const lines = [
    formatMarkdownTable(['Model', ...names, 'MMVP Average'], [[model, ...document.perPattern.map((row) => formatWithInterval(row.score, row.ci95)), formatWithInterval(document.average, document.averageCi95)]]),
    '',
    `${document.pairs} pairs scored; scores are percent [95% interval], ${document.interval}.`,
  ];
  if (document.skippedPairs.length > 0) {
    const shown = document.skippedPairs.slice(0, 10).map((pair) => `pair ${pair.pairId} (${pair.reason})`);
    const more = document.skippedPairs.length > 10 ? `, and ${document.skippedPairs.length - 10} more` : '';
    lines.push(`${document.skippedPairs.length} pair(s) skipped and left out of the scores: ${shown.join('; ')}${more}.`);
  }
  return `${lines.join('\n')}\n`;
}
