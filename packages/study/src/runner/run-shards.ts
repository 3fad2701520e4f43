import type { JobDataBase, JobKindDefinition, PlannedShard } from './job-kind';
import type { RunnerEvent } from './workflow-events';

export type { RunnerEvent } from './workflow-events';

/**
 * A workflow's plan, as every runner executes it: the shards, how an item and a result line are keyed,
 * which keys are committed already, the job data of a shard and the single writer (`commit`).
 */
export interface ShardPlan<Item, Data extends JobDataBase = JobDataBase> {
  /** The job kind (the key of the definition in a worker's table). */
  readonly kind: Data['kind'];
  /** The run's id in the queue (queueRunId): job ids of a re-planned run are the same. */
  readonly runId: string;
  /** The run identity every result line must carry (`run_identity`). */
  readonly runIdentity: string;
  readonly shards: readonly PlannedShard<Item>[];
  /** An item's key (a question id, an image path): what `done` holds. */
  readonly keyOf: (item: Item) => string;
  /** A result line's key: the same key, read from the line's record. */
  readonly recordKeyOf: (record: Record<string, unknown>) => string;
  /** Committed keys (grows as shards are committed). */
  readonly done: Set<string>;
  /** The job data of a shard (the in-process runner passes only the shard's uncommitted items). */
  readonly jobData: (shard: PlannedShard<Item>) => Data;
  /** Appends checked result lines (in the shard's item order, committed keys left out) to the run folder; `shard` holds the items they answer. */
  readonly commit: (lines: readonly string[], shard: PlannedShard<Item>) => Promise<void>;
}

/** What one execution of a plan did. */
export interface ShardsRun {
  /** Shards in the plan. */
  readonly shards: number;
  /** Shards whose keys were all committed before this run. */
  readonly alreadyCommitted: number;
  /** Jobs this run added to the queue (0 in process). */
  readonly enqueued: number;
  /** Jobs found in Redis from an earlier coordinator of the same run (0 in process). */
  readonly adopted: number;
  /** Workers (host:pid) whose results were committed (none in process). */
  readonly workers: readonly string[];
  /** The pipeline description a shard's work returned (undefined when no shard ran). */
  readonly describe?: readonly string[];
}

/** Options of one execution (the vercel/ai shape: one signal, one event callback). */
export interface RunShardsOptions {
  readonly abortSignal?: AbortSignal;
  readonly onEvent?: (event: RunnerEvent) => void;
}

/**
 * Executes a plan: the in-process runner (runner/in-process-runner.ts) or the BullMQ runner
 * (queue/queue-runner.ts). Both take the same plan, the same job data and the same commit; the work
 * on a shard is always the kind's `runShard` (here, or on a worker through its kind table).
 */
export interface ShardRunner {
  readonly kind: 'in-process' | 'queue';
  /** Executes the plan's pending shards with the definition's runShard and commits each result through `plan.commit`. */
  execute<Item, Data extends JobDataBase>(definition: JobKindDefinition<Data>, plan: ShardPlan<Item, Data>, options: RunShardsOptions): Promise<ShardsRun>;
}

/**
 * Runs a workflow's plan on a runner: `runShards({ definition, plan, runner: inProcessRunner(), onEvent })`
 * in one process, `runner: queueRunner(settings)` on BullMQ workers. Every result is checked
 * (checkJobResult) before `plan.commit` writes it.
 */
export function runShards<Item, Data extends JobDataBase, Parts>(
  options: { readonly definition: JobKindDefinition<Data, Parts>; readonly plan: ShardPlan<Item, Data>; readonly runner: ShardRunner } & RunShardsOptions,
): Promise<ShardsRun> {
  if (options.definition.kind !== options.plan.kind) throw new Error(`runShards: the plan is of kind '${options.plan.kind}', the definition of '${options.definition.kind}'`);
  return options.runner.execute(options.definition as unknown as JobKindDefinition<Data>, options.plan, {
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
}
