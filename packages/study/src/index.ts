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

// CLIP-blind pair mining
export { mineBlindPairs } from './mining/mine-blind-pairs';
export type { MineBlindPairsResult, MineBlindPairsRun, MineEvent, MineSummary } from './mining/mine-blind-pairs';
export { mineBlindPairsOptionsSchema } from './mining/mine-options';
export type { MineBlindPairsOptions, ResolvedMineBlindPairsOptions } from './mining/mine-options';
export { MINE_MANIFEST, MINE_OUTPUT_FILES, completeMineCommit, readMineOutputs } from './mining/mine-outputs';
export type { MineCommitHooks, MineCommitStep, MineManifest } from './mining/mine-outputs';
