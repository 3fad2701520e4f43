import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import type { EmbeddingStore, MiningModel, ShardInput } from '@mmvp/mining';
import { DistributedRunError } from '../queue/coordinator';
import type { JobPipeline, PlannedShard } from '../runner/job-kind';
import type { MineJobData, MineResultLine } from './mine-job-kind';

/** Mining's embed plan: the images the store lacks, cut into store shards, and how a shard becomes a job and is committed. */
export interface MinePlan {
  /** The mining run's identity hash (models, the whole image list, batch and shard size). */
  readonly runIdentity: string;
  /** The images the store lacks, in the collection's order. */
  readonly todo: readonly string[];
  /** Images the store already holds. */
  readonly skipped: number;
  /** One shard per store shard to be, numbered by the store shard it becomes. */
  readonly shards: readonly PlannedShard<string>[];
  jobData(shard: PlannedShard<string>, context: { readonly runId: string; readonly pipeline: JobPipeline; readonly dataRoot: string }): MineJobData;
}

/**
 * Plans the embed step as the one-process store cuts it: the images the store does not hold yet (new or
 * changed files) in shards of `shardSize`, numbered from the store's next shard.
 */
export async function planMine(options: {
  readonly store: EmbeddingStore;
  readonly paths: readonly string[];
  readonly clip: MiningModel;
  readonly dino: MiningModel;
  readonly batchSize: number;
  readonly shardSize: number;
}): Promise<MinePlan> {
  const { store, shardSize } = options;
  const todo: string[] = [];
  for (const path of options.paths) {
    const info = await stat(path).catch(() => undefined);
    if (!store.has(path, info?.size, info?.mtimeMs)) todo.push(path);
  }
  // the whole image list is in the identity: the same list resumed re-plans the same jobs, a grown one gets new ids
  const runIdentity = createHash('sha256')
    .update(JSON.stringify({ clip: options.clip.identity, dino: options.dino.identity, batchSize: options.batchSize, shardSize, paths: options.paths }))
    .digest('hex')
    .slice(0, 16);
  const shards: PlannedShard<string>[] = [];
  for (let start = 0; start < todo.length; start += shardSize) shards.push({ shard: store.shardCount + shards.length, items: todo.slice(start, start + shardSize) });
  return {
    runIdentity,
    todo,
    skipped: options.paths.length - todo.length,
    shards,
    jobData: (shard, context) => ({
      kind: 'mine',
      runId: context.runId,
      shard: shard.shard,
      pipeline: context.pipeline,
      dataRoot: context.dataRoot,
      runIdentity,
      batchSize: options.batchSize,
      images: shard.items.map((path) => relative(context.dataRoot, path)),
    }),
  };
}

/** What the store commit has appended so far (this invocation's share of the embed step). */
export interface MineCommitted {
  readonly embedded: number;
  readonly errors: number;
}

/**
 * Mining's commit: a shard's checked lines become a store shard, appended strictly in plan order (the
 * store's shard ids are its append order; a shard that finishes early waits in memory for those before
 * it), so the store is byte-identical however the shards were run. The store is the committer's alone.
 */
export function mineCommitter(store: EmbeddingStore, models: readonly MiningModel[]): { commit(shard: number, lines: readonly string[]): Promise<void>; committed(): MineCommitted } {
  const waiting = new Map<number, ShardInput>();
  let next = store.shardCount;
  let embedded = 0;
  let errors = 0;
  return {
    async commit(shard, lines) {
      waiting.set(
        shard,
        shardInput(
          lines.map((line) => JSON.parse(line) as MineResultLine),
          models,
        ),
      );
      while (waiting.has(next)) {
        const input = waiting.get(next)!;
        waiting.delete(next);
        await store.appendShard(input);
        embedded += input.images.length;
        errors += input.errors.length;
        next++;
      }
    },
    committed: () => ({ embedded, errors }),
  };
}

/** A shard from a mine job's checked lines (in the job's order): images and their embedding rows, errors. */
function shardInput(records: readonly MineResultLine[], models: readonly MiningModel[]): ShardInput {
  const images = records.filter((record) => record.image !== undefined);
  const embeddings: Record<string, Float32Array> = {};
  for (const model of models) {
    const width = model.identity.dimension;
    const joined = new Float32Array(images.length * width); // [rows, D]
    images.forEach((record, row) => {
      const bytes = Buffer.from(record.embeddings?.[model.key] ?? '', 'base64');
      if (bytes.length !== width * 4) throw new DistributedRunError(`mine result for ${record.path}: '${model.key}' embedding has ${bytes.length} bytes, expected ${width * 4}`);
      joined.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)), row * width);
    });
    embeddings[model.key] = joined;
  }
  return { images: images.map((record) => record.image!), errors: records.filter((record) => record.error !== undefined).map((record) => record.error!), embeddings };
}
