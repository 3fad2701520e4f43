import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import type { EmbeddingStore, MiningModel, ShardInput } from '@mmvp/mining';
import { hashModelFiles } from '../provenance/model-files';
import { DistributedRunError, coordinateRun, type CoordinatedRun, type CoordinatorEvent } from './coordinator';
import { commonFolder, jobPipeline, queueRunId } from './job-pipeline';
import type { PlannedShard } from './job-plan';
import type { MineModelsConfig, MineResultLine } from './mine-job';
import type { ResolvedQueueSettings } from './queue-settings';

/**
 * The queue path of mine's embed step: the images the store lacks are cut into shards of `shardSize`
 * (the one-process embed step's boundaries), one `mine` job per shard, numbered by the store shard it
 * becomes; the coordinator checks each result (hash, run identity, every image once) and appends the
 * shards to the store strictly in order (a shard that finishes early waits in memory for those before
 * it), so store/ is byte-identical to a one-process run's. The store is the coordinator's alone.
 */
export async function mineThroughQueue(options: {
  readonly settings: ResolvedQueueSettings;
  readonly out: string;
  readonly store: EmbeddingStore;
  readonly paths: readonly string[];
  readonly clip: MiningModel;
  readonly dino: MiningModel;
  readonly clipFolder: string;
  readonly dinoFolder: string;
  readonly batchSize: number;
  readonly shardSize: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: CoordinatorEvent) => void;
}): Promise<CoordinatedRun & { readonly runId: string; readonly embedded: number; readonly skipped: number; readonly errors: number }> {
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
  const runId = queueRunId(runIdentity, options.out, shardSize);
  const first = store.shardCount;
  const shards: PlannedShard<string>[] = [];
  for (let start = 0; start < todo.length; start += shardSize) shards.push({ shard: first + shards.length, items: todo.slice(start, start + shardSize) });
  const shardOf = new Map<string, number>();
  for (const shard of shards) for (const path of shard.items) shardOf.set(path, shard.shard);

  const config: MineModelsConfig = { clip: { modelPath: options.clipFolder }, dino: { modelPath: options.dinoFolder } };
  const files = await hashModelFiles(config);
  const pipeline = jobPipeline(
    config,
    files,
    createHash('sha256')
      .update(files.map((file) => `${file.sha256} ${file.bytes}`).join('\n'))
      .digest('hex'),
  );
  const dataRoot = commonFolder(todo);
  const models = [options.clip, options.dino];
  const waiting = new Map<number, ShardInput>();
  let next = first;
  let embedded = 0;
  let errors = 0;
  const run = await coordinateRun({
    settings: options.settings,
    runId,
    kind: 'mine',
    shards,
    keyOf: (path) => path,
    recordKeyOf: (record) => String(record['path']),
    runIdentity,
    done: new Set(),
    jobData: (shard) => ({ kind: 'mine', runId, shard: shard.shard, pipeline, dataRoot, runIdentity, batchSize: options.batchSize, images: shard.items.map((path) => relative(dataRoot, path)) }),
    commit: async (lines) => {
      const records = lines.map((line) => JSON.parse(line) as MineResultLine);
      waiting.set(shardOf.get(records[0]!.path)!, shardInput(records, models));
      // the store's shard ids are its append order: shards are appended in plan order only
      while (waiting.has(next)) {
        const input = waiting.get(next)!;
        waiting.delete(next);
        await store.appendShard(input);
        embedded += input.images.length;
        errors += input.errors.length;
        next++;
      }
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  return { ...run, runId, embedded, skipped: options.paths.length - todo.length, errors };
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
