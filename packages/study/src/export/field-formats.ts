/**
 * What the field's harnesses expect of an MMVP-format set (see shared/reference/peers.md):
 * VLMEvalKit reads one TSV (`index`, base64 `image`, `question`, `A`, `B`, `answer`, extra columns
 * kept) through pandas; lmms-eval's `mmvp` task reads a Hugging Face dataset whose rows carry an
 * integer `Index`, `Question`, `Options`, `Correct Answer` and an `image`.
 */
export const EXPORT_TARGETS = ['vlmevalkit', 'hf'] as const;
/** A tool whose input format `mmvp export` writes: VLMEvalKit's TSV or a Hugging Face imagefolder. */
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** VLMEvalKit's TSV columns, in order. */
export const VLMEVALKIT_COLUMNS = ['index', 'image', 'question', 'A', 'B', 'answer', 'category'] as const;

/**
 * lmms-eval rewrites the gold answers of these rows in code (its fix of the release's swapped
 * labels, `GROUND_TRUTH_CORRECTIONS` in lmms_eval/tasks/mmvp/utils.py): Index -> the letter it scores
 * against, whatever the dataset says. On any set but the real MMVP these rows are scored wrongly.
 */
export const LMMS_EVAL_FORCED_ANSWERS: ReadonlyMap<number, 'A' | 'B'> = new Map([
  [99, 'B'],
  [100, 'A'],
  [279, 'B'],
  [280, 'A'],
]);

/** One TSV field as pandas' default reader takes it back: quoted when it holds a tab, quote or line break. */
export function tsvField(value: string | number): string {
  const text = String(value);
  return /[\t"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
