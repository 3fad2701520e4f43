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
 * Gold answers in lmms-eval's `mmvp` task: at HEAD (75571cf) and in every release but two it scores
 * the dataset's own `Correct Answer` (tasks/mmvp/utils.py:136-147; the hub dataset lmms-lab-eval/MMVP
 * carries the corrected labels of Index 99/100 and 279/280 in its data). Only the code between
 * 34465550 (2026-01-29) and d8fcb9c3 (2026-03-01, v0.7), i.e. releases v0.6 and v0.6.1, overrode the
 * dataset: `GROUND_TRUTH_CORRECTIONS` set Index 100 and 280 (0-based 99 and 279) to A on any set. Its
 * samples files say so (`mmvp_accuracy.correction_applied`), and `mmvp grade` warns on them.
 */
export const LMMS_EVAL_GOLD_OVERRIDE = {
  /** The lmms-eval releases whose mmvp task overrode the gold. */
  releases: ['v0.6', 'v0.6.1'],
  /** Index (1-based, as in Questions.csv) -> the letter those releases scored against. */
  answers: new Map<number, 'A' | 'B'>([
    [100, 'A'],
    [280, 'A'],
  ]) as ReadonlyMap<number, 'A' | 'B'>,
} as const;

/**
 * VLMEvalKit computes pair accuracy only for a dataset whose name is exactly `MMVP`
 * (vlmeval/dataset/image_mcq.py:321-322 at e8e78f0, `report_acc_MMVP`: `Overall` = both questions of
 * rows (2i, 2i+1) right, `Average` = per question); any other name reports per-question accuracy as
 * `Overall`. The name is also the file `$LMUData/<name>.tsv` and the image cache
 * `$LMUData/images/<name>/`, and `--data MMVP` picks its built-in class, whose md5 check downloads
 * the official TSV over any other (vlmeval/dataset/image_base.py:218-234).
 */
export const VLMEVALKIT_PAIR_DATASET = 'MMVP';
