export { writeFileAtomic } from './write-file-atomic';
export { sha256File, sha256Bytes } from './sha256-file';
export { LOCK_FILE, RunFolderLockedError, acquireRunFolderLock, withRunFolderLock } from './run-folder-lock';
export type { LockOwner, RunFolderLock, RunFolderLockOptions } from './run-folder-lock';
export { RUN_OWNER_FILE, RunFolderOwnedError, readRunFolderOwner } from './run-folder-owner';
export type { RunFolderOwner } from './run-folder-owner';
export { formatCsv, formatCsvField, formatMarkdownTable, type CsvDelimiter } from './format-csv';
export { parseCsv, type CsvRecord } from './parse-csv';
export {
  resultsFormat,
  resultFileNames,
  workflowFileNames,
  runInfoSchema,
  vlmScoresSchema,
  mllmScoresSchema,
  mixtureStrategySchema,
  sweepSchema,
  sweepPointSchema,
  blindPairSchema,
  blindPairColumns,
  minePairColumns,
  answerLineSchema,
  answerRecordSchema,
  seedsSchema,
  popeScoresSchema,
  vlmEvaluationSchema,
  mmvpScoresSchema,
  pipelineStrategyOf,
} from './results-schema';
export type { RunInfo, RunInfoInput, VlmScores, MllmScores, Sweep, SweepPoint, BlindPair, AnswerLine, AnswerRecord, ResultsBundle, PopeReport, SeedsFile, MmvpScoresFile } from './results-schema';
export { RESULT_FILES, type ResultFile, type ResultFileFormat, type ResultFileName } from './result-files';
export { readResults, parseBlindPairs, parseAnswers } from './read-results';
export { writeRunInfo, writeVlmScores, writeMllmScores, writeSweep, writeSeeds, writeBlindPairs, appendAnswers } from './write-results';
