import { join, relative, resolve } from 'node:path';
import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
import { defaultDecodeWorkers, embedCollection, type MiningModel, type ShardInput } from '@mmvp/mining';
import type { JobDataBase, JobKindDefinition, JobPipeline } from '../runner/job-kind';
import { openContrastiveVisionEncoder } from '../encoders/contrastive-family';
import { miningModel } from './mining-model';

/** A mine job: one embedding-store shard of the images still to embed (the one-process store's boundaries). */
export interface MineJobData extends JobDataBase {
  readonly kind: 'mine';
  /** Config `{ clip: { modelPath }, dino: { modelPath } }` with the model files' identities. */
  readonly pipeline: JobPipeline;
  /** The mining run's identity hash (models, image list, batch and shard size). */
  readonly runIdentity: string;
  readonly batchSize: number;
  /** Image paths relative to `dataRoot`, in the store's order. */
  readonly images: readonly string[];
}

/** The model config a mine job records (hashModelFiles finds both folders' files under `modelPath`). */
export interface MineModelsConfig {
  readonly clip: { readonly modelPath: string };
  readonly dino: { readonly modelPath: string };
}

/** The mining models (CLIP and DINOv2) a mine job runs on, and (in this process) the decode worker threads to use. */
export interface MiningModels {
  readonly clip: MiningModel;
  readonly dino: MiningModel;
  /** Image decode worker threads (default: defaultDecodeWorkers(), as a worker machine chooses). */
  readonly workers?: number;
}

/** Loads a mine job's models from its (checked) config `{ clip: { modelPath }, dino: { modelPath } }`. */
async function loadMiningModels(config: unknown): Promise<MiningModels & { dispose(): Promise<void> }> {
  const models = config as MineModelsConfig;
  const { encoder: clipEncoder, embedding: clipEmbedding } = await openContrastiveVisionEncoder({ modelPath: models.clip.modelPath });
  const dinoEncoder = await createDinov2Encoder({ modelPath: models.dino.modelPath });
  const clip = await miningModel('clip', clipEncoder, clipEncoder.onnxPath, join(clipEncoder.modelId, 'preprocessor_config.json'), clipEmbedding);
  const dino = await miningModel('dino', dinoEncoder, dinoEncoder.onnxPath, dinoEncoder.preprocessorConfigPath, 'pooler_output (DINOv2 CLS after the final LayerNorm)');
  return { clip, dino, dispose: async () => void (await Promise.allSettled([clipEncoder.dispose(), dinoEncoder.dispose()])) };
}

/** One result line of a mine job: an image of the shard (its store record and embedding rows, base64 float32) or an unreadable one. */
export interface MineResultLine {
  /** The image's path on the coordinator (the store's key). */
  readonly path: string;
  readonly run_identity: string;
  readonly image?: ShardInput['images'][number];
  readonly error?: ShardInput['errors'][number];
  /** Base64 of the image's float32 embedding row per model key (little-endian, as .npy stores it). */
  readonly embeddings?: Readonly<Record<string, string>>;
}

/**
 * Mining's job kind. runShard embeds one mine job's images exactly as the one-process embed step embeds
 * a store shard (the same batches: they restart at every shard boundary) and returns one line per image
 * in the job's order. Paths are read under this machine's data root and recorded as the coordinator's.
 * The one-process mining run and `mmvp worker` both embed through it.
 */
export const mineJobKind: JobKindDefinition<MineJobData, MiningModels> = {
  kind: 'mine',
  unitsOf: (data) => data.images.length,
  load: { name: 'mine', pipelineOf: (data) => data.pipeline, create: (config) => loadMiningModels(config) },
  runShard: async (data, context) => ({ lines: await embedMineShard(data, context.parts, context.dataRoot, context.signal, context.onUnit) }),
};

async function embedMineShard(data: MineJobData, models: MiningModels, dataRoot: string, signal: AbortSignal | undefined, onUnit: (() => void) | undefined): Promise<string[]> {
  const local = data.images.map((image) => resolve(dataRoot, image));
  const shards: ShardInput[] = [];
  // the worker's store is a collector of its one shard: nothing is on disk here, the coordinator writes the store
  const collector = { has: () => false, appendShard: async (input: ShardInput) => void shards.push(input) };
  await embedCollection({
    paths: local,
    store: collector,
    models: [models.clip, models.dino],
    workers: models.workers ?? defaultDecodeWorkers(),
    batchSize: data.batchSize,
    shardSize: Math.max(1, local.length),
    ...(onUnit === undefined ? {} : { onProgress: onUnit }),
    ...(signal === undefined ? {} : { signal }),
  });
  const coordinatorPath = (path: string) => join(data.dataRoot, relative(dataRoot, path));
  const lines = new Map<string, string>();
  for (const shard of shards) {
    shard.images.forEach((image, row) => {
      const path = coordinatorPath(image.path);
      const embeddings: Record<string, string> = {};
      for (const model of [models.clip, models.dino]) {
        const width = model.identity.dimension;
        const values = shard.embeddings[model.key]!.subarray(row * width, (row + 1) * width); // [D]
        embeddings[model.key] = Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
      }
      lines.set(path, JSON.stringify({ path, run_identity: data.runIdentity, image: { ...image, path }, embeddings } satisfies MineResultLine));
    });
    for (const error of shard.errors) {
      const path = coordinatorPath(error.path);
      lines.set(path, JSON.stringify({ path, run_identity: data.runIdentity, error: { ...error, path } } satisfies MineResultLine));
    }
  }
  return data.images.map((image) => lines.get(join(data.dataRoot, image)) ?? '');
}
