import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, listChoices, tensor, type VisionEncoderV1 } from '@mmvp/core';
import { createClipVisionEncoder } from '@mmvp/encoder-clip';
import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
import {
  defaultDecodeWorkers,
  describeModel,
  EmbeddingStore,
  formatIdentity,
  listImages,
  miningVersions,
  mineCollection,
  searchIndexKinds,
  sha256Bytes,
  writeContactSheet,
  writeDuplicatesCsv,
  writeErrorsCsv,
  writeFileAtomic,
  writePairsCsv,
  type EmbedProgress,
  type MiningModel,
  type SearchIndexKind,
} from '@mmvp/mining';
import { prepareOutputFolder } from '../output-file';
import { packageVersion } from '@mmvp/study';

interface MineOptions {
  clip: string;
  dino: string;
  images: string;
  out: string;
  clipMin: string;
  dinoMax: string;
  k: string;
  index: string;
  resume?: boolean;
  rebuild?: boolean;
  workers?: string;
  batchSize: string;
  shardSize: string;
  recallSample: string;
  contactSheet: string;
}

/**
 * `mmvp mine`: the study's first step on a user's own images. Embeds the collection with CLIP (pooled,
 * projected image_embeds) and DINOv2 (pooler_output: the layer-normed CLS token), both global
 * embeddings as in the paper, into a resumable store; takes each image's CLIP neighbours as candidates
 * and keeps the pairs with CLIP cosine > --clip-min and DINOv2 cosine < --dino-max, ranked by the gap.
 */
export function registerMine(program: Command): void {
  program
    .command('mine')
    .description('mine CLIP-blind pairs (CLIP cosine high, DINOv2 cosine low) from an image collection')
    .requiredOption('--clip <dir>', 'CLIP model folder (onnx/vision_model.onnx, preprocessor_config.json)')
    .requiredOption('--dino <dir>', 'DINOv2 model folder (onnx/model.onnx, preprocessor_config.json)')
    .requiredOption('--images <dir|list>', 'image folder (walked recursively) or a text file with one image path per line')
    .requiredOption('--out <dir>', 'output folder: pairs.csv, errors.csv, duplicates.csv, contact-sheet.png, summary.json, store/')
    .option('--clip-min <cosine>', 'keep pairs with CLIP cosine above this', '0.95')
    .option('--dino-max <cosine>', 'keep pairs with DINOv2 cosine below this', '0.6')
    .option('--k <n>', 'CLIP neighbours per image taken as candidates', '10')
    .option('--index <kind>', `candidate search: ${listChoices(searchIndexKinds)}`, 'exact')
    .option('--resume', 'continue the embedding store in --out (a killed run, or a grown collection: only new images are embedded)')
    .option('--rebuild', 'discard an existing store (e.g. made with other models) and embed everything again')
    .option('--workers <n>', 'image decode worker threads (0 = main thread; default: cores - 1 up to 4, 0 on 2 cores or fewer)')
    .option('--batch-size <n>', 'images per encoder call', '16')
    .option('--shard-size <n>', 'images per store shard (the unit a killed run resumes from)', '1024')
    .option('--recall-sample <n>', 'queries on which usearch recall is measured against exact search', '200')
    .option('--contact-sheet <n>', 'pairs shown in contact-sheet.png', '24')
    .action(async (options: MineOptions) => {
      const clipMin = cosineOption('--clip-min', options.clipMin);
      const dinoMax = cosineOption('--dino-max', options.dinoMax);
      const k = integerOption('--k', options.k, 1);
      const batchSize = integerOption('--batch-size', options.batchSize, 1);
      const shardSize = integerOption('--shard-size', options.shardSize, 1);
      const recallSample = integerOption('--recall-sample', options.recallSample, 1);
      const contactSheet = integerOption('--contact-sheet', options.contactSheet, 0);
      const workers = options.workers === undefined ? defaultDecodeWorkers() : integerOption('--workers', options.workers, 0);
      if (!(searchIndexKinds as readonly string[]).includes(options.index)) {
        throw new InvalidArgumentError(`--index '${options.index}' is not a search index; valid choices: ${listChoices(searchIndexKinds)}`);
      }
      const index = options.index as SearchIndexKind;
      const out = await prepareOutputFolder(options.out, '--out');
      const storeDir = join(out, 'store');
      if ((await EmbeddingStore.exists(storeDir)) && !options.resume && !options.rebuild) {
        throw new InvalidArgumentError(`${storeDir} already holds an embedding store; pass --resume to continue it (only images not in it are embedded) or --rebuild to start over`);
      }
      const paths = await listImages(options.images);
      if (paths.length === 0) throw new InvalidArgumentError(`--images ${options.images}: no images found (looked for ${['.jpg', '.jpeg', '.png', '.webp', '...'].join(' ')})`);

      const clipEncoder = await createClipVisionEncoder({ modelPath: options.clip });
      const dinoEncoder = await createDinov2Encoder({ modelPath: options.dino });
      const clip = await miningModel('clip', clipEncoder, clipEncoder.onnxPath, join(clipEncoder.modelId, 'preprocessor_config.json'), 'image_embeds (CLIP pooled, projected)');
      const dino = await miningModel('dino', dinoEncoder, dinoEncoder.onnxPath, dinoEncoder.preprocessorConfigPath, 'pooler_output (DINOv2 CLS after the final LayerNorm)');

      const log = (line: string) => process.stderr.write(`mine: ${line}\n`);
      const versions = miningVersions();
      log(`@mmvp/mining ${versions.mining}, usearch ${versions.usearch}, onnxruntime-node ${packageVersion('onnxruntime-node')}`);
      log(`CLIP   ${formatIdentity(clip.identity)}`);
      log(`DINOv2 ${formatIdentity(dino.identity)}`);
      log(`${paths.length} images from ${resolve(options.images)}; candidates: ${k} CLIP neighbours by ${index} search; keep CLIP cosine > ${clipMin} and DINOv2 cosine < ${dinoMax}`);
      if (index === 'exact' && paths.length > 20_000) {
        log(`note: exact search compares every pair (${paths.length}^2 x width multiply-adds); for collections this size --index usearch is much faster and prints its recall`);
      }
      log(`store ${storeDir} (${options.rebuild ? 'rebuild' : options.resume ? 'resume' : 'new'}), ${workers} decode worker(s), batch ${batchSize}, shard ${shardSize}`);

      const controller = new AbortController();
      const stop = () => controller.abort(new InvalidArgumentError('interrupted; the shards written so far are kept, rerun with --resume'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const result = await mineCollection({
        paths,
        storeDir,
        clip,
        dino,
        rebuild: options.rebuild ?? false,
        index,
        k,
        clipMin,
        dinoMax,
        recallSample,
        workers,
        batchSize,
        shardSize,
        onProgress: progressPrinter(log),
        signal: controller.signal,
      }).finally(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      });
      const { embed, search } = result;
      log(`embedded ${embed.embedded} images in ${embed.seconds.toFixed(1)} s (${(embed.embedded / Math.max(embed.seconds, 1e-9)).toFixed(1)} images/s), ${embed.skipped} already in the store, ${result.errors.length} unreadable`);
      log(`${index} search over ${result.images.length} distinct images (${result.duplicates.length} identical copies collapsed) in ${search.seconds.toFixed(2)} s`);
      if (search.recall !== undefined) log(`usearch recall@${k} against exact search on ${search.recallQueries} sampled queries: ${search.recall.toFixed(4)}`);

      await writePairsCsv(join(out, 'pairs.csv'), result.pairs);
      await writeErrorsCsv(join(out, 'errors.csv'), result.errors);
      await writeDuplicatesCsv(join(out, 'duplicates.csv'), result.duplicates);
      const shown = contactSheet > 0 ? await writeContactSheet(join(out, 'contact-sheet.png'), result.pairs, { maxPairs: contactSheet }) : 0;
      const summary = {
        images: paths.length,
        distinctImages: result.images.length,
        duplicates: result.duplicates.length,
        errors: result.errors.length,
        pairs: result.pairs.length,
        clipMin,
        dinoMax,
        k,
        index,
        recall: search.recall ?? null,
        recallQueries: search.recallQueries ?? null,
        embedded: embed.embedded,
        skipped: embed.skipped,
        embedSeconds: embed.seconds,
        searchSeconds: search.seconds,
        models: { clip: clip.identity, dino: dino.identity },
      };
      await writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      log(`${result.pairs.length} CLIP-blind pair(s) -> ${join(out, 'pairs.csv')}${shown > 0 ? `; contact sheet of the top ${shown}: ${join(out, 'contact-sheet.png')}` : ''}`);
      if (result.errors.length > 0) log(`${result.errors.length} unreadable image(s) listed in ${join(out, 'errors.csv')}`);
      process.stdout.write(`${join(out, 'pairs.csv')}\n`);
    });
}

async function miningModel(key: 'clip' | 'dino', encoder: VisionEncoderV1, onnxPath: string, preprocessorConfigPath: string, embedding: string): Promise<MiningModel> {
  // The embedding width (CLIP's projection size is not the hidden size): one forward pass on zeros.
  const [height, width] = encoder.imageSize;
  const probe = await encoder.embedPixels(tensor(new Float32Array(3 * height * width), [1, 3, height, width]));
  const identity = await describeModel({
    folder: encoder.modelId,
    onnxPath,
    embedding,
    dimension: probe.dims[1]!,
    preprocessing: { preprocessorConfigSha256: sha256Bytes(await readFile(preprocessorConfigPath)), padToSquare: false, cropRounding: 'floor' },
  });
  return { key, encoder, identity, processor: { kind: 'image-processor', preprocessorConfigPath, padToSquare: false, cropRounding: 'floor' } };
}

function progressPrinter(log: (line: string) => void): (progress: EmbedProgress) => void {
  let last = 0;
  let lastShards = 0;
  return (p) => {
    const now = performance.now();
    if (p.done < p.total && now - last < 1000 && p.shardsWritten === lastShards) return;
    last = now;
    lastShards = p.shardsWritten;
    const eta = Number.isFinite(p.etaSeconds) ? formatSeconds(p.etaSeconds) : '?';
    const line = `embedding ${p.done}/${p.total} images (${p.imagesPerSecond.toFixed(1)} images/s, ETA ${eta}), ${p.errors} unreadable, ${p.shardsWritten} shard(s) written`;
    if (process.stderr.isTTY) process.stderr.write(`\rmine: ${line}${p.done === p.total ? '\n' : ''}`);
    else log(line);
  };
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function cosineOption(name: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < -1 || number > 1) throw new InvalidArgumentError(`${name} must be a cosine between -1 and 1, got '${value}'`);
  return number;
}

function integerOption(name: string, value: string, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}, got '${value}'`);
  return number;
}
