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

// MMVP evaluation, grading and POPE
export { evaluateMllm, answerMmvpQuestions, prepareMmvpAnswers, checkImageReadable, PROMPT_STYLES } from './mmvp/evaluate-mllm';
export type { EvaluateMllmOptions, MllmEvaluation, PromptStyle, QuestionAnswerer } from './mmvp/evaluate-mllm';
export { gradeMllmAnswers, checkGradeInputs, summaryLines, labelsApplied, describeGrader, GRADERS } from './mmvp/grade-mllm';
export type { GradeMllmOptions, GraderKind, PatternRowWithIntervals, ScoresDocument } from './mmvp/grade-mllm';
export { mmvpScoresCsv, mmvpScoresMarkdown } from './mmvp/scores-tables';
export { RUN_IDENTITY_FILE, runIdentityHash, checkRunIdentity, readStoredIdentity } from './mmvp/run-identity';
export type { RunIdentity } from './mmvp/run-identity';
export { hashModelFiles } from './mmvp/model-files';
export type { ModelFile } from './mmvp/model-files';
export { answerLog, appendMissingAnswers, checkAnswerLogStart, prepareAnswerLog, repairAnswerLogTail } from './mmvp/answer-log';
export type { AnswerLog, ExistingAnswer } from './mmvp/answer-log';
export type { ProgressListener, StudyProgressEvent } from './mmvp/progress-events';
export { evaluatePope, popeSummaryLines, POPE_INSTRUCTION, POPE_SPLITS } from './mmvp/evaluate-pope';
export type { EvaluatePopeOptions, PopeEvaluation, PopeSplit, PopeSplitScores } from './mmvp/evaluate-pope';
