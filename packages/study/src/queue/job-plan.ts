import type { EndpointConfig } from '@mmvp/endpoint';
import type { RunIdentity } from '../mmvp/run-identity';
import type { JobPipeline, PlannedShard } from '../runner/job-kind';

export type { JobPipeline, PlannedShard } from '../runner/job-kind';

/** The kinds of job a worker runs (one per distributed workflow). */
export const JOB_KINDS = ['eval-mllm', 'pope', 'sweep', 'mine', 'pope-endpoint', 'eval-mllm-endpoint'] as const;
/** A job's workflow. */
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * A job's deterministic id, `<run id>-<kind>-<shard>`: the same run re-planned (--resume) gets the same
 * ids. No ':' (BullMQ documents that a future major version forbids it in custom job ids).
 */
export function jobId(runId: string, kind: JobKind, shard: number): string {
  return `${jobIdPrefix(runId, kind)}${shard}`;
}

/** What every job id of one run and kind starts with. */
export function jobIdPrefix(runId: string, kind: JobKind): string {
  return `${runId}-${kind}-`;
}

/** One MMVP question of an eval-mllm job (image relative to the job's data root). */
export interface MllmJobQuestion {
  readonly id: number;
  readonly image: string;
  readonly question: string;
  readonly options: string;
  readonly answer: string;
}

/** One POPE question of a pope job (image relative to the job's data root). */
export interface PopeJobQuestion {
  readonly questionId: string;
  readonly split: string;
  readonly text: string;
  readonly image: string;
  readonly imageName: string;
  readonly label: string;
}

interface AnsweringJobBase {
  readonly runId: string;
  readonly shard: number;
  readonly pipeline: JobPipeline;
  /** The coordinator's data folder (a worker maps it to its --data-root). */
  readonly dataRoot: string;
  readonly identity: RunIdentity;
}

/** An eval-mllm job: a shard of whole MMVP pairs. */
export interface MllmJobData extends AnsweringJobBase {
  readonly kind: 'eval-mllm';
  readonly promptStyle: string;
  readonly questions: readonly MllmJobQuestion[];
}

/** A pope job: a shard of POPE questions. */
export interface PopeJobData extends AnsweringJobBase {
  readonly kind: 'pope';
  readonly questions: readonly PopeJobQuestion[];
}

/**
 * A pope job answered through an OpenAI-compatible endpoint: the endpoint named by URL, model,
 * decoding and limits, and the NAME of the environment variable holding its key (each worker reads
 * its own; the key itself never goes to Redis).
 */
export interface PopeEndpointJobData {
  readonly kind: 'pope-endpoint';
  readonly runId: string;
  readonly shard: number;
  readonly endpoint: EndpointConfig;
  /** The coordinator's images folder (a worker maps it to its --data-root). */
  readonly dataRoot: string;
  readonly identity: RunIdentity;
  readonly questions: readonly PopeJobQuestion[];
}

/** An eval-mllm job answered through an OpenAI-compatible endpoint (as {@link PopeEndpointJobData}: the key's variable name, never the key). */
export interface MllmEndpointJobData {
  readonly kind: 'eval-mllm-endpoint';
  readonly runId: string;
  readonly shard: number;
  readonly endpoint: EndpointConfig;
  /** The coordinator's MMVP folder (a worker maps it to its --data-root). */
  readonly dataRoot: string;
  readonly identity: RunIdentity;
  readonly promptStyle: string;
  readonly questions: readonly MllmJobQuestion[];
}

/** One image chunk of a sweep (runSweep's encode batch) and the questions asked about its images. */
export interface SweepJobChunk {
  /** Image paths relative to the job's data root, in the batch's order. */
  readonly images: readonly string[];
  /** Questions in runSweep's order: b = the image's row in the batch; prompt = the formatted question. */
  readonly targets: readonly { readonly id: number; readonly set: 'data' | 'proxy'; readonly b: number; readonly prompt: string }[];
}

/** A sweep job: one ratio x a run of image chunks. */
export interface SweepJobData {
  readonly kind: 'sweep';
  readonly runId: string;
  readonly shard: number;
  readonly pipeline: JobPipeline;
  readonly dataRoot: string;
  /** The sweep's identity hash (fingerprint of protocol, ratios, configs, encoders, questions, batch size). */
  readonly runIdentity: string;
  readonly protocol: 'per-ratio' | 'fixed-adapter';
  readonly ratio: { readonly value: number; readonly text: string };
  readonly batchSize: number;
  readonly chunks: readonly SweepJobChunk[];
}

/** A mine job: one embedding-store shard of the images still to embed (the one-process store's boundaries). */
export interface MineJobData {
  readonly kind: 'mine';
  readonly runId: string;
  /** The store shard this job becomes (its index in store/manifest.json). */
  readonly shard: number;
  /** Config `{ clip: { modelPath }, dino: { modelPath } }` with the model files' identities. */
  readonly pipeline: JobPipeline;
  /** The coordinator's folder that holds every image of the job (a worker maps it to its --data-root). */
  readonly dataRoot: string;
  /** The mining run's identity hash (models, image list, batch and shard size). */
  readonly runIdentity: string;
  readonly batchSize: number;
  /** Image paths relative to `dataRoot`, in the store's order. */
  readonly images: readonly string[];
}

/** What a job carries through Redis. */
export type JobData = MllmJobData | PopeJobData | SweepJobData | MineJobData | PopeEndpointJobData | MllmEndpointJobData;

/** What a worker returns through Redis: the answer lines (JSON, no newline) and their hash. */
export interface JobResult {
  readonly lines: readonly string[];
  /** SHA-256 (hex) of the lines joined with '\n'. */
  readonly sha256: string;
  /** Which worker made them (host:pid), for the coordinator's log. */
  readonly worker: string;
}

/**
 * Cuts `items` into shards of about `shardSize` in order, never splitting a group (eval-mllm: a pair,
 * so both questions of a pair are answered by one worker). Deterministic: the same items and size give
 * the same shards, so a resumed run re-plans the same job ids.
 */
export function planShards<Item>(items: readonly Item[], shardSize: number, groupOf: (item: Item, index: number) => string = (_item, index) => String(index)): PlannedShard<Item>[] {
  const shards: PlannedShard<Item>[] = [];
  let current: Item[] = [];
  let index = 0;
  while (index < items.length) {
    const group = groupOf(items[index]!, index);
    const members: Item[] = [];
    while (index < items.length && groupOf(items[index]!, index) === group) members.push(items[index++]!);
    if (current.length > 0 && current.length + members.length > shardSize) {
      shards.push({ shard: shards.length, items: current });
      current = [];
    }
    current.push(...members);
  }
  if (current.length > 0) shards.push({ shard: shards.length, items: current });
  return shards;
}
