import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
import {
  EmbeddingStore,
  defaultDecodeWorkers,
  imageExtensions,
  listImages,
  mineCollection,
  miningVersions,
  writeContactSheet,
  writeDuplicatesCsv,
  writeErrorsCsv,
  writePairsCsv,
  type ModelIdentity,
  type PairRow,
  type SearchIndexKind,
  type StoredError,
} from '@mmvp/mining';
import { packageVersion } from '../provenance/package-versions';
import { commitMineOutputs, completeMineCommit, createMineStaging, type MineCommitHooks, type MineManifest } from './mine-outputs';
import { mineBlindPairsOptionsSchema, type MineBlindPairsOptions } from './mine-options';
import { openContrastiveVisionEncoder } from '../encoders/contrastive-family';
import { miningModel } from './mining-model';
import { embedStep } from './mine-embed-step';
import type { MineEvent } from './mine-events';
import { workflowEmitter } from '../runner/workflow-events';
import { withRunFolderLock } from '@mmvp/results';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';

export type { MineEvent } from './mine-events';

/** The run's summary; summary.json holds all of it but `embedded` and `skipped` (this invocation's share of the work). */
export interface MineSummary {
  readonly images: number;
  readonly distinctImages: number;
  readonly duplicates: number;
  readonly errors: number;
  readonly pairs: number;
  readonly clipMin: number;
  readonly dinoMax: number;
  readonly k: number;
  readonly index: SearchIndexKind;
  readonly recall: number | null;
  readonly recallQueries: number | null;
  /** Images this invocation embedded, and those it found in the store (not written to summary.json). */
  readonly embedded: number;
  readonly skipped: number;
  readonly embedSeconds: number;
  readonly searchSeconds: number;
  readonly models: { readonly clip: ModelIdentity; readonly dino: ModelIdentity };
}

/** What {@link mineBlindPairs} found and wrote: the pairs, unreadable images, duplicates, the committed files. */
export interface MineBlindPairsResult {
  /** Absolute output folder. */
  readonly out: string;
  readonly summary: MineSummary;
  readonly pairs: readonly PairRow[];
  readonly errors: readonly StoredError[];
  readonly duplicates: readonly { readonly path: string; readonly duplicateOf: string }[];
  /** Absolute paths of the committed result files, by name (pairs.csv, ...). */
  readonly files: Readonly<Record<string, string>>;
  /** Pairs drawn on contact-sheet.png (0: none written). */
  readonly contactSheetPairs: number;
  readonly manifest: MineManifest;
}

/**
 * Mines CLIP-blind pairs from an image collection: embeds it with CLIP (pooled, projected
 * image_embeds) and DINOv2 (pooler_output: the layer-normed CLS token), both global embeddings as in
 * the paper, into a resumable store in `out/store`; takes each image's CLIP neighbours as candidates
 * and keeps the pairs with CLIP cosine > clipMin and DINOv2 cosine < dinoMax, ranked by the gap.
 *
 * Inputs (options, images, model folders) are checked before `out` is created; the run holds the
 * folder's lock, and its result files are committed as one unit (see mine-outputs.ts).
 *
 * @example
 * ```ts
 * import { mineBlindPairs } from '@mmvp/study';
 *
 * // Hugging Face CLIP and DINOv2 export folders and a folder of images (walked recursively)
 * const mined = await mineBlindPairs({ clip: 'models/clip-vit-large-patch14', dino: 'models/dinov2-large', images: 'data/pool', out: 'runs/mine' });
 * console.log(mined.summary.pairs, mined.files['pairs.csv']); // CLIP cosine > 0.95 and DINOv2 cosine < 0.6, best gap first
 * // on N machines: add queue: { url: 'redis://127.0.0.1:6379' } and run `mmvp worker` on each
 * ```
 */
export function mineBlindPairs(options: MineBlindPairsOptions): Promise<MineBlindPairsResult> {
  return mineWithCommitHooks(options);
}

/**
 * mineBlindPairs with test hooks into its result commit (kill points between the commit's steps): the tests of
 * the commit call this; a caller never needs it.
 */
export async function mineWithCommitHooks(options: MineBlindPairsOptions, commitHooks?: MineCommitHooks): Promise<MineBlindPairsResult> {
  const o = parseWorkflowOptions('mineBlindPairs', mineBlindPairsOptionsSchema, options);
  const signal = o.abortSignal;
  const emit = workflowEmitter<MineEvent>('mine', options.onEvent);
  const out = resolve(o.out);
  const storeDir = join(out, 'store');
  const workers = o.workers ?? defaultDecodeWorkers();

  const paths = await listImages(o.images);
  if (paths.length === 0) throw new InvalidArgumentError(`--images ${o.images}: no images found (looked for ${imageExtensions.join(' ')})`);
  const { encoder: clipEncoder, embedding: clipEmbedding } = await openContrastiveVisionEncoder({ modelPath: o.clip });
  const dinoEncoder = await createDinov2Encoder({ modelPath: o.dino });
  const clip = await miningModel('clip', clipEncoder, clipEncoder.onnxPath, join(clipEncoder.modelId, 'preprocessor_config.json'), clipEmbedding);
  const dino = await miningModel('dino', dinoEncoder, dinoEncoder.onnxPath, dinoEncoder.preprocessorConfigPath, 'pooler_output (DINOv2 CLS after the final LayerNorm)');
  signal?.throwIfAborted();

  return withRunFolderLock(out, 'mine', async () => {
    await completeMineCommit(out); // a commit a killed run left half done
    if ((await EmbeddingStore.exists(storeDir)) && !o.resume && !o.rebuild) {
      throw new InvalidArgumentError(`${storeDir} already holds an embedding store; pass --resume to continue it (only images not in it are embedded) or --rebuild to start over`);
    }
    const versions = miningVersions();
    emit({
      type: 'resolved',
      versions: { ...versions, onnxruntime: packageVersion('onnxruntime-node') },
      clip: clip.identity,
      dino: dino.identity,
      images: paths.length,
      imagesSource: resolve(o.images),
      index: o.index,
      k: o.k,
      clipMin: o.clipMin,
      dinoMax: o.dinoMax,
      storeDir,
      store: o.rebuild ? 'rebuild' : o.resume ? 'resume' : 'new',
      workers,
      batchSize: o.batchSize,
      shardSize: o.shardSize,
      notes:
        o.index === 'exact' && paths.length > 20_000 ? [`exact search compares every pair (${paths.length}^2 x width multiply-adds); for collections this size --index usearch is much faster and prints its recall`] : [],
    });

    // the embed step (through the mine job kind, in this process or on workers); mineCollection then finds every image in the store
    const embedded = await embedStep({ options: o, out, storeDir, paths, clip, dino, workers, emit, ...(signal === undefined ? {} : { abortSignal: signal }) });

    const result = await mineCollection({
      paths,
      storeDir,
      clip,
      dino,
      rebuild: false, // opened (and rebuilt when asked) above
      index: o.index,
      k: o.k,
      clipMin: o.clipMin,
      dinoMax: o.dinoMax,
      recallSample: o.recallSample,
      workers,
      batchSize: o.batchSize,
      shardSize: o.shardSize,
      onProgress: (progress) => emit({ type: 'embedding', progress }),
      ...(signal === undefined ? {} : { signal }),
    });
    const { search } = result;
    const embed = { ...result.embed, embedded: embedded.embedded, skipped: embedded.skipped, seconds: embedded.seconds };
    emit({ type: 'embedded', embedded: embed.embedded, skipped: embed.skipped, errors: result.errors.length, seconds: embed.seconds });
    emit({
      type: 'searched',
      index: o.index,
      k: o.k,
      distinctImages: result.images.length,
      duplicates: result.duplicates.length,
      seconds: search.seconds,
      ...(search.recall === undefined ? {} : { recall: search.recall, recallQueries: search.recallQueries! }),
    });
    signal?.throwIfAborted();

    const summary: MineSummary = {
      images: paths.length,
      distinctImages: result.images.length,
      duplicates: result.duplicates.length,
      errors: result.errors.length,
      pairs: result.pairs.length,
      clipMin: o.clipMin,
      dinoMax: o.dinoMax,
      k: o.k,
      index: o.index,
      recall: search.recall ?? null,
      recallQueries: search.recallQueries ?? null,
      embedded: embed.embedded,
      skipped: embed.skipped,
      embedSeconds: embed.seconds,
      searchSeconds: search.seconds,
      models: { clip: clip.identity, dino: dino.identity },
    };

    // the result set: written into a staging folder, then committed as one unit
    const staging = await createMineStaging(out);
    const names: string[] = [];
    await writePairsCsv(join(staging, 'pairs.csv'), result.pairs);
    await writeErrorsCsv(join(staging, 'errors.csv'), result.errors);
    await writeDuplicatesCsv(join(staging, 'duplicates.csv'), result.duplicates);
    names.push('pairs.csv', 'errors.csv', 'duplicates.csv');
    let contactSheetPairs = 0;
    if (o.contactSheet > 0) {
      contactSheetPairs = await writeContactSheet(join(staging, 'contact-sheet.png'), result.pairs, { maxPairs: o.contactSheet });
      names.push('contact-sheet.png');
    }
    // summary.json holds what the store and the search determine, so a killed run resumed writes the
    // same file as an uninterrupted one (durations aside); how many images this invocation embedded
    // (the rest came from the store) is in the result and the progress events.
    const { embedded: _embedded, skipped: _skipped, ...stored } = summary;
    await writeFile(join(staging, 'summary.json'), `${JSON.stringify(stored, null, 2)}\n`);
    names.push('summary.json');
    const manifest = await commitMineOutputs(out, staging, names, commitHooks);
    const files = Object.fromEntries(names.map((name) => [name, join(out, name)]));
    emit({ type: 'written', out, files: names });
    return { out, summary, pairs: result.pairs, errors: result.errors, duplicates: result.duplicates, files, contactSheetPairs, manifest };
  });
}
