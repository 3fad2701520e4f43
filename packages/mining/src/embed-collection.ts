import { stat } from 'node:fs/promises';
import { assertFinite, InvalidConfigError, ShapeMismatchError, tensor, type VisionEncoderV1 } from '@mmvp/core';
import { DecodePool } from './decode-pool';
import type { EmbeddingStore, StoredError, StoredImage } from './embedding-store';
import type { ModelIdentity } from './model-identity';
import type { PixelProcessorSpec } from './pixel-processor';

/** One model of a mining run: its encoder, how workers preprocess for it, and what goes in the store. */
export interface MiningModel {
  /** Store key: 'clip' or 'dino'. */
  readonly key: string;
  readonly encoder: VisionEncoderV1;
  readonly processor: PixelProcessorSpec;
  readonly identity: ModelIdentity;
}

/** Progress of the embed step: images done of total, skipped, failed, shards written, rate and ETA. */
export interface EmbedProgress {
  /** Images handled in this run (embedded or failed). */
  readonly done: number;
  /** Images this run has to handle (those not in the store yet). */
  readonly total: number;
  /** Images already in the store. */
  readonly skipped: number;
  readonly errors: number;
  readonly shardsWritten: number;
  readonly imagesPerSecond: number;
  /** Seconds left at the current rate (NaN before the first image). */
  readonly etaSeconds: number;
}

/** Options of embedCollection: image paths, the store, the models, decode workers, batch and shard sizes, progress and abort signal. */
export interface EmbedCollectionOptions {
  readonly paths: readonly string[];
  /** Where shards go: an EmbeddingStore, or anything that answers `has` and takes shards (a queue worker collects its one shard). */
  readonly store: Pick<EmbeddingStore, 'has' | 'appendShard'>;
  readonly models: readonly MiningModel[];
  /** Decode worker threads (0 = main thread). */
  readonly workers?: number;
  /** Images decoded ahead of the encoder at most (the bounded queue). */
  readonly lookahead?: number;
  /** Images per encoder call. */
  readonly batchSize?: number;
  /** Images (embedded or failed) per store shard. */
  readonly shardSize?: number;
  /**
   * Compare the workers' pixel_values for the first image with the encoder's own `preprocess` and
   * refuse to run if they differ (default true): the store must hold what the encoder would compute.
   */
  readonly checkPreprocessing?: boolean;
  /** Called as images are embedded. */
  readonly onProgress?: (progress: EmbedProgress) => void;
  readonly signal?: AbortSignal;
}

/** What the embed step did: images embedded, skipped (already stored) and failed, shards written, seconds. */
export interface EmbedSummary {
  readonly embedded: number;
  readonly skipped: number;
  readonly errors: number;
  readonly shardsWritten: number;
  readonly seconds: number;
}

/**
 * Embeds the images of `paths` that the store does not hold yet (new or changed files), with every
 * model, writing a shard every `shardSize` images. Unreadable images are recorded as errors and
 * skipped. Shards are cut at fixed counts of the remaining paths, so a run killed after some shards and
 * resumed writes the same shards as an uninterrupted run.
 */
export async function embedCollection(options: EmbedCollectionOptions): Promise<EmbedSummary> {
  const { store, models } = options;
  const batchSize = options.batchSize ?? 16;
  const shardSize = options.shardSize ?? 1024;
  const started = performance.now();
  const todo: string[] = [];
  let skipped = 0;
  for (const path of options.paths) {
    const info = await stat(path).catch(() => undefined);
    if (store.has(path, info?.size, info?.mtimeMs)) skipped++;
    else todo.push(path);
  }
  const pool = new DecodePool(
    models.map((model) => model.processor),
    options.workers,
  );
  let done = 0;
  let errors = 0;
  let embedded = 0;
  let shardsWritten = 0;
  let checked = !(options.checkPreprocessing ?? true);
  let images: StoredImage[] = [];
  let shardErrors: StoredError[] = [];
  let outputs: Float32Array[][] = models.map(() => []);
  let batch: { image: StoredImage; pixels: Float32Array[] }[] = [];

  const encodeBatch = async (): Promise<void> => {
    if (batch.length === 0) return;
    for (let m = 0; m < models.length; m++) {
      const model = models[m]!;
      const [height, width] = model.encoder.imageSize;
      const per = 3 * height * width;
      const data = new Float32Array(batch.length * per); // [B, 3, H, W]
      batch.forEach((item, b) => {
        const pixels = item.pixels[m]!;
        if (pixels.length !== per) throw new ShapeMismatchError(`${item.image.path}: preprocessing for '${model.key}' gave ${pixels.length} values, the encoder takes 3x${height}x${width}`);
        data.set(pixels, b * per);
      });
      const embeddings = await model.encoder.embedPixels(tensor(data, [batch.length, 3, height, width]), options.signal ? { signal: options.signal } : {});
      if (embeddings.dims.length !== 2 || embeddings.dims[0] !== batch.length || embeddings.dims[1] !== model.identity.dimension) {
        throw new ShapeMismatchError(`'${model.key}' encoder ${model.identity.name} returned embeddings [${embeddings.dims.join(', ')}], expected [${batch.length}, ${model.identity.dimension}]`);
      }
      assertFinite(embeddings, `'${model.key}' embeddings of ${batch[0]!.image.path} and the ${batch.length - 1} images after it`);
      outputs[m]!.push(embeddings.data);
    }
    images.push(...batch.map((item) => item.image));
    embedded += batch.length;
    batch = [];
  };

  const writeShard = async (): Promise<void> => {
    await encodeBatch();
    if (images.length === 0 && shardErrors.length === 0) return;
    const embeddings: Record<string, Float32Array> = {};
    models.forEach((model, m) => {
      const parts = outputs[m]!;
      const joined = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        joined.set(p, offset);
        offset += p.length;
      }
      embeddings[model.key] = joined;
    });
    await store.appendShard({ images, errors: shardErrors, embeddings });
    shardsWritten++;
    images = [];
    shardErrors = [];
    outputs = models.map(() => []);
  };

  try {
    let inShard = 0;
    for await (const result of pool.decodeInOrder(todo, options.lookahead)) {
      options.signal?.throwIfAborted();
      if (result.ok) {
        if (!checked) {
          await checkPreprocessing(result.path, result.pixels, models);
          checked = true;
        }
        batch.push({ image: { path: result.path, sha256: result.sha256, size: result.size, mtimeMs: result.mtimeMs }, pixels: result.pixels });
        if (batch.length >= batchSize) await encodeBatch();
      } else {
        shardErrors.push({ path: result.path, ...(result.size === undefined ? {} : { size: result.size }), ...(result.mtimeMs === undefined ? {} : { mtimeMs: result.mtimeMs }), message: result.message });
        errors++;
      }
      done++;
      inShard++;
      if (inShard >= shardSize) {
        await writeShard();
        inShard = 0;
      }
      if (options.onProgress) {
        const seconds = (performance.now() - started) / 1000;
        const rate = done / Math.max(seconds, 1e-9);
        options.onProgress({ done, total: todo.length, skipped, errors, shardsWritten, imagesPerSecond: rate, etaSeconds: (todo.length - done) / rate });
      }
    }
    await writeShard();
  } finally {
    await pool.close();
  }
  return { embedded, skipped, errors, shardsWritten, seconds: (performance.now() - started) / 1000 };
}

async function checkPreprocessing(path: string, pixels: readonly Float32Array[], models: readonly MiningModel[]): Promise<void> {
  for (let m = 0; m < models.length; m++) {
    const model = models[m]!;
    const own = await model.encoder.preprocess([path]);
    const mine = pixels[m]!;
    let worst = own.data.length === mine.length ? 0 : Infinity;
    for (let i = 0; i < mine.length && worst !== Infinity; i++) worst = Math.max(worst, Math.abs(own.data[i]! - mine[i]!));
    if (!(worst <= 1e-4)) {
      throw new InvalidConfigError(
        `the decode workers' preprocessing for '${model.key}' (${describeProcessor(model.processor)}) does not match the encoder's own preprocess on ${path} ` +
          `(max abs difference ${worst}, ${mine.length} vs ${own.data.length} values); the embeddings would not be the encoder's`,
      );
    }
  }
}

function describeProcessor(spec: PixelProcessorSpec): string {
  return spec.kind === 'image-processor' ? `image processor from ${spec.preprocessorConfigPath}` : `module ${spec.module}`;
}
