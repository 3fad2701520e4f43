export { writeFileAtomic } from './write-file-atomic';
export { sha256File, sha256Bytes } from './sha256-file';
/** @public thrown by every workflow that writes a run folder, for instanceof */
export { LOCK_FILE, RunFolderLockedError, acquireRunFolderLock, withRunFolderLock } from './run-folder-lock';
export type { LockOwner, RunFolderLock, RunFolderLockOptions } from './run-folder-lock';
/** @public thrown by every workflow that writes a run folder, for instanceof */
export { RunFolderOwnedError } from './run-folder-owner';
export type { RunFolderOwner } from './run-folder-owner';
export { formatCsv, formatCsvField, formatMarkdownTable, type CsvDelimiter } from './format-csv';
export { parseCsv, type CsvRecord } from './parse-csv';
/** @public the results folder's file schemas, for tools that write or read a results folder */
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
} from './results-schema';
export type { RunInfo, RunInfoInput, VlmScores as VlmScoresFile, MllmScores, Sweep, BlindPair, AnswerRecord, ResultsBundle, PopeReport, SeedsFile, MmvpScoresFile } from './results-schema';
export { RESULT_FILES, type ResultFile, type ResultFileFormat } from './result-files';
export { readResults } from './read-results';
export { writeRunInfo, writeVlmScores, writeMllmScores, writeSweep, writeSeeds, writeBlindPairs, appendAnswers } from './write-results';
// the run's identity (run-identity.json, refused on change) and the answer log (answers.jsonl appended as answers come)
export { RUN_IDENTITY_FILE, runIdentityHash, readStoredIdentity, checkRunIdentity, decodingIdentity, pipelineModelId, type RunIdentity } from './run-identity';
export { answerLog, prepareAnswerLog, type AnswerLog, type ExistingAnswer } from './answer-log';
