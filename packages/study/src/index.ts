// @mmvp/study: the MMVP study's workflows as library functions. Each workflow takes typed options
// (checked with zod), an AbortSignal and a progress callback, and returns a plain result object
// that @mmvp/report renders and the CLI writes.

// run folders: one writer at a time, results committed whole
export { LOCK_FILE, RunFolderLockedError, acquireRunFolderLock, withRunFolderLock } from './run-folder/run-folder-lock';
export type { LockOwner, RunFolderLock, RunFolderLockOptions } from './run-folder/run-folder-lock';
export { RUN_OWNER_FILE, RunFolderOwnedError, readRunFolderOwner } from './run-folder/run-folder-owner';
export type { RunFolderOwner } from './run-folder/run-folder-owner';
export { writeAtomically } from './run-folder/write-atomically';

// provenance
export { sha256File } from './provenance/sha256-file';
export { packageVersion, packageVersions } from './provenance/package-versions';

// export to the field's tools (VLMEvalKit TSV, Hugging Face imagefolder + lmms-eval task)
export { exportMmvp, exportMmvpOptionsSchema, lmmsEvalTaskYaml } from './export/export-mmvp';
export type { ExportMmvpOptions, ExportMmvpResult } from './export/export-mmvp';
export { EXPORT_TARGETS, LMMS_EVAL_GOLD_OVERRIDE, VLMEVALKIT_COLUMNS, VLMEVALKIT_PAIR_DATASET } from './export/field-formats';
export type { ExportTarget } from './export/field-formats';

// MMVP-VLM evaluation
export { evaluateVlm } from './vlm/evaluate-vlm';
export type { VlmEvaluationResult, VlmPatternResult, VlmScoresDocument, VlmSkippedPairRecord } from './vlm/evaluate-vlm';
export { evaluateVlmOptionsSchema } from './vlm/evaluate-vlm-options';
export type { EvaluateVlmOptions, VlmProgressEvent } from './vlm/evaluate-vlm-options';
export { vlmPairsCsv, vlmScoresMarkdown } from './vlm/vlm-outputs';

// the demo: the study in miniature
export { runDemo } from './demo/run-demo';
export type { DemoResult } from './demo/run-demo';
export { DEMO_LLAVA_MODELS, DEMO_LLAVA_PAIRS_PER_PATTERN, PAPER_CLIP_MIN, PAPER_DINO_MAX, runDemoOptionsSchema } from './demo/demo-options';
export type { DemoLlavaModel, DemoProgressEvent, RunDemoOptions, RunDemoOptionsInput } from './demo/demo-options';
export type { CorrelationWithInterval, DemoComparison, DemoFindings } from './demo/findings';
export type { SeedSummaries } from './demo/seed-summaries';
export type { SeedAveragedComparison, SeedRun, SeedSummary } from './demo/seed-summary';

// MMVP evaluation, grading and POPE
export { evaluateMllm, answerMmvpQuestions, prepareMmvpAnswers, checkImageReadable, MLLM_SHARD_SIZE, PROMPT_STYLES } from './mmvp/evaluate-mllm';
export type { EvaluateMllmOptions, MllmEvaluation, QuestionAnswerer } from './mmvp/evaluate-mllm';
export { mmvpAnswerRecord, type PromptStyle } from './mmvp/mmvp-answer-record';
export { ENDPOINT_CACHE_FILE, ENDPOINT_USAGE_FILE } from './mmvp/evaluate-mllm-endpoint';
export { ENDPOINT_FAILURES_FILE } from './mmvp/endpoint-answers';
export { askThroughEndpoint } from './mmvp/ask-endpoint';
export type { EndpointAskResult } from './mmvp/ask-endpoint';
export { gradeMllmAnswers, checkGradeInputs, summaryLines, labelsApplied, describeGrader, GRADERS } from './mmvp/grade-mllm';
export type { GradeMllmOptions, GraderKind, PatternRowWithIntervals, ScoresDocument } from './mmvp/grade-mllm';
export { mmvpScoresCsv, mmvpScoresMarkdown } from './mmvp/scores-tables';
export { RUN_IDENTITY_FILE, runIdentityHash, checkRunIdentity, readStoredIdentity } from './mmvp/run-identity';
export type { RunIdentity } from './mmvp/run-identity';
export { hashModelFiles } from './provenance/model-files';
export type { ModelFile } from './provenance/model-files';
export { answerLog, appendMissingAnswers, checkAnswerLogStart, prepareAnswerLog, repairAnswerLogTail } from './mmvp/answer-log';
export type { AnswerLog, ExistingAnswer } from './mmvp/answer-log';
export type { ProgressListener, StudyProgressEvent } from './mmvp/progress-events';
export { evaluatePope, POPE_SHARD_SIZE, popeAnswerRecord, popeQuestionText, popeSummaryLines, POPE_INSTRUCTION, POPE_SPLITS } from './mmvp/evaluate-pope';
export type { EvaluatePopeOptions, PopeEvaluation, PopeRunResult, PopeSplit, PopeSplitScores } from './mmvp/evaluate-pope';

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

// CLIP-blind pair mining
export { mineBlindPairs } from './mining/mine-blind-pairs';
export type { MineBlindPairsResult, MineBlindPairsRun, MineEvent, MineSummary } from './mining/mine-blind-pairs';
export { mineBlindPairsOptionsSchema } from './mining/mine-options';
export type { MineBlindPairsOptions, ResolvedMineBlindPairsOptions } from './mining/mine-options';
export { MINE_MANIFEST, MINE_OUTPUT_FILES, completeMineCommit, readMineOutputs } from './mining/mine-outputs';
export type { MineCommitHooks, MineCommitStep, MineManifest } from './mining/mine-outputs';

// encoder features of images or texts (mmvp embed)
export { embedFeatures, modelFamilyOf } from './embed/embed-features';
export type { EmbedFeaturesOptions, EmbedFeaturesResult, ModelFamily } from './embed/embed-features';

// distributed runs: jobs on BullMQ (Redis), `mmvp worker`s answer, the coordinator alone commits
export { queueSettingsSchema, parseRedisUrl } from './queue/queue-settings';
export type { QueueSettings, ResolvedQueueSettings, RedisConnection } from './queue/queue-settings';
export { JOB_KINDS, jobId, planShards } from './queue/job-plan';
export type { JobData, JobKind, JobPipeline, JobResult, MineJobData, MllmJobData, PopeJobData, PlannedShard, SweepJobChunk, SweepJobData } from './queue/job-plan';
export { coordinateRun, DistributedRunError } from './queue/coordinator';
export type { CoordinatedRun, CoordinatorEvent } from './queue/coordinator';
export { checkJobResult, hashResultLines } from './queue/result-hash';
export { startWorker } from './queue/start-worker';
export { queueSummaryLine } from './queue/queued-answers';
export type { QueueRunSummary } from './queue/queued-answers';
export { SWEEP_CHUNKS_PER_JOB } from './queue/sweep-through-queue';
export type { RunningWorker, StartWorkerOptions, WorkerEvent } from './queue/start-worker';
export { ModelIdentityMismatch, checkModelFiles } from './queue/warm-pipelines';
export { startLocalRedisServer, freeLoopbackPort } from './queue/test-redis-server';
export type { LocalRedisServer } from './queue/test-redis-server';
