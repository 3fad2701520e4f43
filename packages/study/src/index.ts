// @mmvp/study: the MMVP study's workflows as library functions. Each workflow takes one options object
// (checked with zod) with `abortSignal` and `onEvent` (its slice of the one event union, StudyEvent), and
// returns a plain result object that @mmvp/report renders and the CLI writes.
//
// This entry holds what a researcher calls: the workflows, their option, result and event types, the
// choices they accept and the errors they throw. Runners, workers and job internals are behind
// `@mmvp/study/queue`; test helpers (a local Redis server, free ports, shard plans) behind `@mmvp/study/testing`.

// the demo: the study in miniature
export { runDemo } from './demo/run-demo';
export type { DemoResult } from './demo/run-demo';
/** @public the workflow's options schema, for a caller's own validation */
export { DEMO_LLAVA_MODELS, DEMO_LLAVA_PAIRS_PER_PATTERN, PAPER_CLIP_MIN, PAPER_DINO_MAX, runDemoOptionsSchema } from './demo/demo-options';
export type { DemoEvent, DemoLlavaModel, RunDemoOptions, RunDemoOptionsInput } from './demo/demo-options';
export type { CorrelationWithInterval, DemoComparison, DemoFindings } from './demo/findings';
export type { SeedSummaries } from './demo/seed-summaries';
export type { SeedAveragedComparison, SeedRun, SeedSummary } from './demo/seed-summary';

// MMVP-VLM evaluation
export { evaluateVlm } from './vlm/evaluate-vlm';
export type { VlmEvaluationResult } from './vlm/evaluate-vlm';
export type { VlmPatternResult, VlmScoresDocument, VlmSkippedPairRecord } from './vlm/vlm-scores-document';
/** @public the workflow's options schema, for a caller's own validation */
export { evaluateVlmOptionsSchema } from './vlm/evaluate-vlm-options';
export type { EvalVlmEvent, EvaluateVlmOptions } from './vlm/evaluate-vlm-options';

// MMVP evaluation (a local pipeline, an endpoint or your own answerer), grading and POPE
/** @public the workflow's options schema, for a caller's own validation (the CLI declares its flags from it) */
export { evaluateMllm, answerMmvpQuestions, PROMPT_STYLES, evaluateMllmOptionsSchema } from './mmvp/evaluate-mllm';
export type { EvaluateMllmOptions, MllmEvaluation, QuestionAnswerer } from './mmvp/evaluate-mllm';
export type { PromptStyle } from './mmvp/mmvp-answer-record';
export { askThroughEndpoint } from './mmvp/ask-endpoint';
export type { EndpointAskResult } from './mmvp/ask-endpoint';
/** @public the workflow's options schema, for a caller's own validation (the CLI declares its flags from it) */
export { gradeMllmAnswers, summaryLines, labelsApplied, GRADERS, gradeMllmOptionsSchema } from './mmvp/grade-mllm';
export type { GradeMllmOptions, GraderKind } from './mmvp/grade-mllm';
export type { PatternRowWithIntervals, ScoresDocument } from './mmvp/scores-document';
export type { EvalMllmEvent, GradeEvent, PopeEvent } from './mmvp/mmvp-events';
/** @public the valid POPE splits, for a caller's own option checks */
export { evaluatePope, popeSummaryLines, POPE_SPLITS, evaluatePopeOptionsSchema } from './mmvp/evaluate-pope';
export type { EvaluatePopeOptions, PopeEvaluation, PopeRunResult, PopeSplit, PopeSplitScores } from './mmvp/evaluate-pope';

// A-MoF ratio sweep
/** @public the workflow's options schema, for a caller's own validation */
export { runSweep, sweepOptionsSchema } from './sweep/run-sweep';
export type { SweepEvent, SweepOptions, SweepProtocol, SweepRatioResult, SweepResult } from './sweep/run-sweep';
export type { PipelineSource } from './sweep/sweep-options';
export { PAPER_RATIOS, parseRatios } from './sweep/ratios';
export type { SweepRatio } from './sweep/ratios';
export type { GradedAnswer, Interval, RatioScores } from './sweep/score-ratio';

// CLIP-blind pair mining
export { mineBlindPairs } from './mining/mine-blind-pairs';
export type { MineBlindPairsResult, MineEvent, MineSummary } from './mining/mine-blind-pairs';
/** @public the workflow's options schema, for a caller's own validation */
export { mineBlindPairsOptionsSchema } from './mining/mine-options';
export type { MineBlindPairsOptions } from './mining/mine-options';
export { readMineOutputs } from './mining/mine-outputs';
export type { MineManifest } from './mining/mine-outputs';

// encoder features of images or texts (mmvp embed)
export { embedFeatures } from './embed/embed-features';
export type { EmbedFeaturesResult, ModelFamily } from './embed/embed-features';
export type { EmbedEvent } from './embed/embed-events';
/** @public the workflow's options schema, for a caller's own validation (the CLI declares its flags from it) */
export { embedFeaturesOptionsSchema } from './embed/embed-features-options';
export type { EmbedFeaturesOptions } from './embed/embed-features-options';

// export to the field's tools (VLMEvalKit TSV, Hugging Face imagefolder + lmms-eval task)
/** @public the workflow's options schema, for a caller's own validation */
export { exportMmvp, exportMmvpOptionsSchema } from './export/export-mmvp';
export type { ExportEvent, ExportMmvpOptions, ExportMmvpResult } from './export/export-mmvp';
/** @public the valid export targets, for a caller's own option checks */
export { EXPORT_TARGETS } from './export/field-formats';
export type { ExportTarget } from './export/field-formats';

// the one event union of every workflow (each workflow's onEvent receives its slice), and its shared variants
export type { StudyEvent } from './study-events';
export type { ProgressEvent, QueueSummaryEvent, ResolvedEvent, WarningEvent, WrittenEvent } from './runner/workflow-events';
export type { WorkerEvent } from './queue/start-worker';

// run folders (lock, owner, atomic writes, schemas, reader): @mmvp/results owns them

// the errors of a distributed run (the `queue` option of evaluateMllm, evaluatePope, runSweep, mineBlindPairs)
/** @public thrown by a workflow run with `queue`, for instanceof */
export { DistributedRunError } from './queue/coordinator';
/** @public thrown by a worker whose model files differ from the run's, for instanceof */
export { ModelIdentityMismatch } from './runner/warm-pipelines';
export type { QueueSettings } from './queue/queue-settings';
