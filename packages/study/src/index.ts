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

// A-MoF ratio sweep
export { runSweep, sweepOptionsSchema } from './sweep/run-sweep';
export type { SweepOptions, SweepProgressEvent, SweepProtocol, SweepRatioResult, SweepResult, PipelineSource } from './sweep/run-sweep';
export { PAPER_RATIOS, parseRatios } from './sweep/ratios';
export type { SweepRatio } from './sweep/ratios';
export { loadSweepQuestions, mmvpFolderOf } from './sweep/sweep-data';
export type { SweepQuestion, SweepQuestionSet } from './sweep/sweep-data';
export { checkSameEncoders, encoderDifferences, encoderIdentities, createFolderHasher } from './sweep/encoder-identity';
export type { EncoderIdentity } from './sweep/encoder-identity';
export type { GradedAnswer, Interval, RatioScores } from './sweep/score-ratio';
export { sweepDocuments, writeSweepFiles } from './sweep/write-sweep-files';
export type { SweepDocuments } from './sweep/write-sweep-files';
