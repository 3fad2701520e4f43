import { InvalidArgumentError } from '@mmvp/core';

/**
 * Reads a POPE answer as LLaVA's `eval_pope.py` does: keep the first sentence (text before the
 * first '.'), drop commas, split on spaces; the words `No`, `no` or `not` mean "no", anything else
 * "yes". (The original's word test is case-sensitive: "NOT" or "Not" alone does not count; kept.)
 */
export function popeAnswer(text: string): 'yes' | 'no' {
  const dot = text.indexOf('.');
  const first = dot === -1 ? text : text.slice(0, dot);
  const words = first.replace(/,/g, '').split(' ');
  return words.includes('No') || words.includes('not') || words.includes('no') ? 'no' : 'yes';
}

/** POPE's accuracy, precision, recall, F1 and yes-ratio ('yes' is the positive class). */
export interface PopeScores {
  readonly total: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  /** Fractions in [0, 1], "yes" the positive class, as the POPE paper and LLaVA report them. */
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Share of answers read as "yes". */
  readonly yesRatio: number;
}

/**
 * POPE accuracy, precision, recall, F1 and yes-ratio with "yes" as the positive class. Answers are
 * read with popeAnswer. An undefined ratio (no positive predictions, say) is 0, not NaN.
 */
export function pope(items: readonly { readonly label: 'yes' | 'no'; readonly response: string }[]): PopeScores {
  if (items.length === 0) throw new InvalidArgumentError('pope() needs at least one answer');
  let truePositives = 0;
  let falsePositives = 0;
  let trueNegatives = 0;
  let falseNegatives = 0;
  for (const item of items) {
    const predicted = popeAnswer(item.response);
    if (predicted === 'yes' && item.label === 'yes') truePositives++;
    else if (predicted === 'yes') falsePositives++;
    else if (item.label === 'no') trueNegatives++;
    else falseNegatives++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, truePositives + falseNegatives);
  return {
    total: items.length,
    truePositives,
    falsePositives,
    trueNegatives,
    falseNegatives,
    accuracy: (truePositives + trueNegatives) / items.length,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    yesRatio: (truePositives + falsePositives) / items.length,
  };
}
