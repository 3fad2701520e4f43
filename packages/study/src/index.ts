// @mmvp/study: the MMVP study's workflows as library functions. Each workflow takes typed options
// (checked with zod), an AbortSignal and a progress callback, and returns a plain result object
// that @mmvp/report renders and the CLI writes.

// run folders: one writer at a time, results committed whole
export { LOCK_FILE, RunFolderLockedError, acquireRunFolderLock, withRunFolderLock } from './run-folder/run-folder-lock';
export type { LockOwner, RunFolderLock } from './run-folder/run-folder-lock';
export { writeAtomically } from './run-folder/write-atomically';

// provenance
export { sha256File } from './provenance/sha256-file';
export { packageVersion, packageVersions } from './provenance/package-versions';

// MMVP-VLM evaluation
export { evaluateVlm } from './vlm/evaluate-vlm';
export type { VlmEvaluationResult, VlmPatternResult, VlmScoresDocument, VlmSkippedPairRecord } from './vlm/evaluate-vlm';
export { evaluateVlmOptionsSchema } from './vlm/evaluate-vlm-options';
export type { EvaluateVlmOptions, VlmProgressEvent } from './vlm/evaluate-vlm-options';
export { vlmPairsCsv, vlmScoresMarkdown } from './vlm/vlm-outputs';
