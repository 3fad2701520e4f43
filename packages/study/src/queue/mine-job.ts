import { join, relative, resolve } from 'node:path';
import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
import { defaultDecodeWorkers, embedCollection, type MiningModel, type ShardInput } from '@mmvp/mining';
import type { PipelineConfig } from '@mmvp/pipeline';
import { miningModel } from '../mining/mine-blind-pairs';
import type { MineJobData } from './job-plan';
import type { LoadedFlavor } from '../runner/warm-pipelines';
import { openContrastiveVisionEncoder } from '../encoders/contrastive-family';

/** The model config a mine job records (hashModelFiles finds both folders' files under `modelPath`). */
export interface MineModelsConfig {
  readonly clip: { readonly modelPath: string };
  readonly dino: { readonly modelPath: string };
}

/** A worker's loaded mining models (CLIP and DINOv2), kept warm across mine jobs. */
export interface LoadedMiningModels {
  readonly clip: MiningModel;
  readonly dino: MiningModel;
  dispose(): Promise<void>;
}

/** How a worker loads a mine job's models from its (checked) config. */
export const MINE_FLAVOR: LoadedFlavor<LoadedMiningModels> = {
  name: 'mine',
  async create(config: PipelineConfig) {
    const models = config as unknown as MineModelsConfig;
    const { encoder: clipEncoder, embedding: clipEmbedding } = await openContrastiveVisionEncoder({ modelPath: models.clip.modelPath });
    const dinoEncoder = await createDinov2Encoder({ modelPath: models.dino.modelPath });
    const clip = await miningModel('clip', clipEncoder, clipEncoder.onnxPath, join(clipEncoder.modelId, 'preprocessor_config.json'), clipEmbedding);
    const dino = await miningModel('dino', dinoEncoder, dinoEncoder.onnxPath, dinoEncoder.preprocessorConfigPath, 'pooler_output (DINOv2 CLS after the final LayerNorm)');
    return { clip, dino, dispose: async () => void (await Promise.allSettled([clipEncoder.dispose(), dinoEncoder.dispose()])) };
  },
};

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
 * Embeds one mine job's images exactly as the one-process embed step embeds a store shard (the same
 * batches: they restart at every shard boundary) and returns one line per image in the job's order.
 * Paths are read under `dataRoot` (this worker's) and recorded as the coordinator's.
 */
export async function answerMineJob(data: MineJobData, models: LoadedMiningModels, dataRoot: string, signal: AbortSignal | undefined): Promise<string[]> {
  const local = data.images.map((image) => resolve(dataRoot, image));
  const shards: ShardInput[] = [];
  // the worker's store is a collector of its one shard: nothing is on disk here, the coordinator writes the store
  const collector = { has: () => false, appendShard: async (input: ShardInput) => void shards.push(input) };
  await embedCollection({
    paths: local,
    store: collector,
    models: [models.clip, models.dino],
    workers: defaultDecodeWorkers(),
    batchSize: data.batchSize,
    shardSize: Math.max(1, local.length),
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
