import type { PipelineConfig } from '@mmvp/pipeline';

// The runner contract (issue 26): every study workflow is written once as
//   options schema -> plan (shards) -> runShard (pure work on one shard) -> commit (the single writer) -> finish.
// A workflow registers its job kinds (JobKindDefinition); the in-process runner and the BullMQ runner execute
// the same plan through the same functions. The runner knows kinds only through the table it is given, never
// the workflows themselves: no folder of @mmvp/study imports another workflow's folder.

/** One model file of a job's pipeline: its path under the coordinator's models root, size and SHA-256. */
export interface JobModelFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The pipeline a job needs, as the coordinator resolved it; a worker rebuilds it under its own models root and checks every file's hash. */
export interface JobPipeline {
  /** The resolved pipeline config (absolute paths on the coordinator's machine). */
  readonly config: Record<string, unknown>;
  /** The coordinator's folder that holds every model path of the config (a worker maps it to its --models-root). */
  readonly modelsRoot: string;
  readonly modelFiles: readonly JobModelFile[];
  /** The hash over all model files, in order (RunIdentity.modelFilesSha256). */
  readonly modelFilesSha256: string;
}

/** What every job carries through Redis (and through the in-process runner): plain JSON. */
export interface JobDataBase {
  /** The job kind: the key of its JobKindDefinition in the runner's table. */
  readonly kind: string;
  /** The run's id in the queue (queueRunId). */
  readonly runId: string;
  /** The shard's number in the plan. */
  readonly shard: number;
  /** The coordinator's data folder (a worker maps it to its --data-root). */
  readonly dataRoot: string;
}

/** A planned shard: its number and the items (questions, images, targets) it covers. */
export interface PlannedShard<Item> {
  readonly shard: number;
  readonly items: readonly Item[];
}

/** Something a runner keeps loaded for a job kind (a Pipeline, a sweep's tokenizer + decoder, mining encoders). */
export interface LoadedParts {
  dispose(): Promise<void>;
}

/** Which components (encoder packages) may load: an allowlist, never the job's word. */
export interface AllowedComponents {
  readonly allow: readonly string[];
  /** Where allowed package names resolve from (default: the working folder). */
  readonly allowFrom?: string;
}

/** What runShard gets from the runner that executes it (in this process or on a worker). */
export interface ShardContext<Parts> {
  /** The loaded parts of the job's pipeline (undefined for kinds that load none, e.g. endpoint kinds). */
  readonly parts: Parts;
  /** Where this machine finds the job's data (the coordinator's dataRoot, or a worker's --data-root). */
  readonly dataRoot: string;
  /** Where this machine finds the job's models (the coordinator's modelsRoot, or a worker's --models-root). */
  readonly modelsRoot: string;
  /** The job's config with paths rebased onto this machine's models root. */
  readonly config?: PipelineConfig;
  readonly signal?: AbortSignal;
  /** Called after each unit (question, image, answer) of the shard: progress within a shard. */
  readonly onUnit?: () => void;
}

/** What one shard's work returns: result lines (JSON, no newline, in the shard's order), checked and committed by the runner's caller. */
export interface ShardOutput {
  readonly lines: readonly string[];
  /** The pipeline's description as this machine loaded it, written with the coordinator's roots (optional). */
  readonly describe?: readonly string[];
}

/**
 * A job kind a workflow registers: how to load what its jobs need, and the pure work on one shard.
 * The in-process runner and `mmvp worker` call the same `runShard`, so a one-process run and a
 * distributed run are the same code by construction.
 */
export interface JobKindDefinition<Data extends JobDataBase = JobDataBase, Parts = unknown> {
  readonly kind: Data['kind'];
  /** Units (questions, images, answers) a job holds, for progress and logs. */
  unitsOf(data: Data): number;
  /** The parts to load for a job (kept warm across jobs, keyed by pipeline identity); absent: the kind loads nothing. */
  readonly load?: {
    /** Names the flavor of parts (two kinds with the same name share loaded parts). */
    readonly name: string;
    /** The job's pipeline (its config and model identity). */
    pipelineOf(data: Data): JobPipeline;
    /** Loads the parts from the job's config (paths on this machine, model files already checked), only from the allowed components. */
    create(config: PipelineConfig, components: AllowedComponents): Promise<Parts & LoadedParts>;
  };
  /** The work on one shard: no writes to the run folder (the caller commits the lines). */
  runShard(data: Data, context: ShardContext<Parts>): Promise<ShardOutput>;
}

/**
 * The job kinds a runner (or a worker) can execute, by kind. (Method syntax above makes a definition of
 * specific data and parts assignable to the erased JobKindDefinition: the runner passes each job only
 * to the definition of its own kind.)
 */
export type JobKindTable = ReadonlyMap<string, JobKindDefinition>;

/** Builds a table from definitions; two definitions of one kind are a programming error. */
export function jobKindTable(definitions: readonly JobKindDefinition[]): JobKindTable {
  const table = new Map<string, JobKindDefinition>();
  for (const definition of definitions) {
    if (table.has(definition.kind)) throw new Error(`job kind '${definition.kind}' is defined twice`);
    table.set(definition.kind, definition);
  }
  return table;
}
