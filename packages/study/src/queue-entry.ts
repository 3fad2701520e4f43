// @mmvp/study/queue: distributed runs. Jobs go on BullMQ (Redis); `mmvp worker`s (startWorker) answer
// them; the coordinator alone commits to the run folder. The workflows of the main entry take a
// `queue` option (queueSettingsSchema) and run through these; import from here to run a worker, to
// coordinate your own shards or to read a job's internals. Their errors (DistributedRunError,
// ModelIdentityMismatch) are in the main entry.

export { queueSettingsSchema, parseRedisUrl } from './queue/queue-settings';
export type { QueueSettings, ResolvedQueueSettings, RedisConnection } from './queue/queue-settings';
/** @public job internals, for a caller's own runner or worker: the job kinds and their ids */
export { jobId } from './queue/job-plan';
export type { JobData, JobKind, JobPipeline, JobResult, PlannedShard } from './queue/job-plan';
export type { SweepJobChunk, SweepJobData } from './sweep/sweep-job-kind';
export type { MineJobData } from './mining/mine-job-kind';
export type { MllmJobData, PopeJobData } from './mmvp/answer-job-kinds';

// the runner contract: one plan, executed in process or on BullMQ workers, the work on a shard always the kind's runShard
/** @public the study's job kinds (a worker's table; startWorker below uses it by default) */
export { JOB_KINDS, startWorker, studyJobKinds } from './study-job-kinds';
export type { JobKindDefinition, JobKindTable, ShardContext, ShardOutput } from './runner/job-kind';
/** @public the runner contract, for a caller's own workflow: one plan, either runner */
export { runShards } from './runner/run-shards';
export type { ShardPlan, ShardRunner, ShardsRun, RunnerEvent } from './runner/run-shards';
export type { QueueRunnerEvent, Unstamped } from './runner/workflow-events';
/** @public the two runners */
export { inProcessRunner } from './runner/in-process-runner';
/** @public the two runners */
export { queueRunner } from './queue/queue-runner';
export { coordinateRun } from './queue/coordinator';
export type { CoordinatedRun } from './queue/coordinator';
/** @public job internals, for a caller's own runner: how a job's result lines are hashed and checked */
export { checkJobResult, hashResultLines } from './runner/result-hash';
export { startWorkerOptionsSchema } from './queue/start-worker';
export type { RunningWorker, StartWorkerOptions, WorkerEvent } from './queue/start-worker';
export { queueSummaryLine } from './queue/queued-answers';
export type { QueueRunSummary } from './queue/queued-answers';
/** @public job internals, for a caller's own worker: the check that its model files are the run's */
export { checkModelFiles } from './runner/warm-pipelines';

// the shard sizes the workflows cut their work into (one job each)
export { MLLM_SHARD_SIZE } from './mmvp/evaluate-mllm';
export { POPE_SHARD_SIZE } from './mmvp/evaluate-pope';
export { SWEEP_CHUNKS_PER_JOB } from './sweep/sweep-plan';

// the single writer's commit of a mining run (a run interrupted inside it is completed by the next)
/** @public a reader that finds a cut commit completes or discards it before reading (what the next run does first) */
export { completeMineCommit } from './mining/mine-outputs';
export type { MineCommitHooks, MineCommitStep } from './mining/mine-outputs';
