import type { z } from 'zod';
import {
  answerLineSchema,
  blindPairSchema,
  mllmScoresSchema,
  mmvpScoresSchema,
  popeScoresSchema,
  resultFileNames,
  runInfoSchema,
  seedsSchema,
  sweepSchema,
  vlmEvaluationSchema,
  vlmScoresSchema,
  workflowFileNames,
} from './results-schema';

/** How a results file is laid out on disk. */
export type ResultFileFormat = 'json' | 'jsonl' | 'csv';

/** One row of the results-file table: the one schema a file name has, its version and who writes it. */
export interface ResultFile {
  /** Version of the file's contract; a shape change is a new version (and a reader for the old one). */
  readonly version: number;
  readonly format: ResultFileFormat;
  /** The schema of the document (json), of one line (jsonl) or of one row (csv). */
  readonly schema: z.ZodTypeAny;
  /** The workflows that write it. */
  readonly writtenBy: readonly string[];
  /** Names this file had before, still read for one release. */
  readonly oldNames?: readonly string[];
}

/**
 * Every file name of a run folder and its one schema (no name has two shapes). @mmvp/report renders
 * what readResults reads from these. The writers of write-results.ts validate with them before
 * writing; eval-vlm's and grade's tests check their own writers' files against them.
 */
export const RESULT_FILES = {
  [resultFileNames.run]: { version: 1, format: 'json', schema: runInfoSchema, writtenBy: ['demo', 'sweep', 'grade', 'eval-mllm'] },
  [resultFileNames.vlmScores]: { version: 1, format: 'json', schema: vlmScoresSchema, writtenBy: ['demo'] },
  [resultFileNames.mllmScores]: { version: 1, format: 'json', schema: mllmScoresSchema, writtenBy: ['demo', 'sweep'] },
  [resultFileNames.sweep]: { version: 1, format: 'json', schema: sweepSchema, writtenBy: ['demo', 'sweep'] },
  [resultFileNames.seeds]: { version: 1, format: 'json', schema: seedsSchema, writtenBy: ['demo'] },
  [resultFileNames.blindPairs]: { version: 1, format: 'csv', schema: blindPairSchema, writtenBy: ['demo'] },
  [resultFileNames.answers]: { version: 1, format: 'jsonl', schema: answerLineSchema, writtenBy: ['eval-mllm', 'demo', 'sweep'] },
  [workflowFileNames.mmvpScores]: { version: 1, format: 'json', schema: mmvpScoresSchema, writtenBy: ['grade', 'eval-mllm'] },
  [workflowFileNames.pope]: { version: 1, format: 'json', schema: popeScoresSchema, writtenBy: ['pope'] },
  [workflowFileNames.minePairs]: { version: 1, format: 'csv', schema: blindPairSchema, writtenBy: ['mine'] },
  [workflowFileNames.vlmEvaluation]: { version: 2, format: 'json', schema: vlmEvaluationSchema, writtenBy: ['eval-vlm'], oldNames: [resultFileNames.vlmScores] },
} as const satisfies Record<string, ResultFile>;
