import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { formatIdentity, searchIndexKinds, type EmbedProgress, type SearchIndexKind } from '@mmvp/mining';
import { mineBlindPairs, type MineEvent } from '@mmvp/study';
import { parseRedisUrl } from '@mmvp/study/queue';
import { checkOutputFolder } from '../output-file';
import { createProgress } from '../shared/progress';

interface MineFlags {
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
  queue?: string;
  queueName: string;
}

/** `mmvp mine`: flags in, `mineBlindPairs` (@mmvp/study) does the work, progress lines out. */
export function registerMine(program: Command): void {
  program
    .command('mine')
    .description('mine CLIP-blind pairs (CLIP cosine high, DINOv2 cosine low) from an image collection')
    .requiredOption('--clip <dir>', 'CLIP or SigLIP model folder (config.json model_type clip or siglip, onnx/vision_model.onnx, preprocessor_config.json)')
    .requiredOption('--dino <dir>', 'DINOv2 model folder (onnx/model.onnx, preprocessor_config.json)')
    .requiredOption('--images <dir|list>', 'image folder (walked recursively, symlinks followed) or a text file with one image path per line')
    .requiredOption('--out <dir>', 'output folder: pairs.csv, errors.csv, duplicates.csv, contact-sheet.png, summary.json, manifest.json (written last: the set is complete), store/')
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
    .option(
      '--queue <url>',
      'embed distributed: one job per store shard on Redis (redis://HOST:PORT[/DB]) for `mmvp worker`s (they need the images and the same model files); this process alone writes store/ and the results; with --resume enqueues only missing shards',
    )
    .option('--queue-name <name>', 'BullMQ queue name with --queue (workers listen on the same)', 'mmvp')
    .action(async (flags: MineFlags) => {
      if (flags.queue !== undefined) parseRedisUrl(flags.queue);
      const out = await checkOutputFolder(flags.out, '--out'); // nothing created until the inputs are checked
      if (flags.resume && flags.rebuild) {
        throw new InvalidArgumentError('--resume and --rebuild contradict each other: --resume continues the store in --out, --rebuild discards it; pass one');
      }
      if (!(searchIndexKinds as readonly string[]).includes(flags.index)) {
        throw new InvalidArgumentError(`--index '${flags.index}' is not a search index; valid choices: ${listChoices(searchIndexKinds)}`);
      }
      const options = {
        clip: flags.clip,
        dino: flags.dino,
        images: flags.images,
        out,
        clipMin: cosineFlag('--clip-min', flags.clipMin),
        dinoMax: cosineFlag('--dino-max', flags.dinoMax),
        k: integerFlag('--k', flags.k, 1),
        index: flags.index as SearchIndexKind,
        resume: flags.resume ?? false,
        rebuild: flags.rebuild ?? false,
        ...(flags.workers === undefined ? {} : { workers: integerFlag('--workers', flags.workers, 0) }),
        batchSize: integerFlag('--batch-size', flags.batchSize, 1),
        shardSize: integerFlag('--shard-size', flags.shardSize, 1),
        recallSample: integerFlag('--recall-sample', flags.recallSample, 1),
        contactSheet: integerFlag('--contact-sheet', flags.contactSheet, 0),
        ...(flags.queue === undefined ? {} : { queue: { url: flags.queue, queueName: flags.queueName } }),
      };
      const log = (line: string) => process.stderr.write(`mine: ${line}\n`);
      const controller = new AbortController();
      const stop = () => controller.abort(new InvalidArgumentError('interrupted; the shards written so far are kept, rerun with --resume'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const result = await mineBlindPairs(options, { signal: controller.signal, onEvent: eventPrinter(log) }).finally(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      });
      const pairsCsv = join(result.out, 'pairs.csv');
      const sheet = result.contactSheetPairs > 0 ? `; contact sheet of the top ${result.contactSheetPairs}: ${join(result.out, 'contact-sheet.png')}` : '';
      log(`${result.pairs.length} CLIP-blind pair(s) -> ${pairsCsv}${sheet}`);
      if (result.errors.length > 0) log(`${result.errors.length} unreadable image(s) listed in ${join(result.out, 'errors.csv')}`);
      process.stdout.write(`${pairsCsv}\n`);
    });
}

function eventPrinter(log: (line: string) => void): (event: MineEvent) => void {
  const progress = progressPrinter(log);
  // the queue's shard jobs: the same bar and ETA as the other commands' --queue runs
  let jobsBar: ReturnType<typeof createProgress> | undefined;
  const jobs = (event: Extract<MineEvent, { type: 'jobs' }>) => {
    (jobsBar ??= createProgress('store shards committed', event.total, event.startedAt)).update(event.done);
    if (event.done === event.total) jobsBar.finish();
  };
  return (event) => {
    switch (event.type) {
      case 'resolved':
        log(`@mmvp/mining ${event.versions.mining}, usearch ${event.versions.usearch}, onnxruntime-node ${event.versions.onnxruntime}`);
        log(`CLIP   ${formatIdentity(event.clip)}`);
        log(`DINOv2 ${formatIdentity(event.dino)}`);
        log(`${event.images} images from ${event.imagesSource}; candidates: ${event.k} CLIP neighbours by ${event.index} search; keep CLIP cosine > ${event.clipMin} and DINOv2 cosine < ${event.dinoMax}`);
        for (const note of event.notes) log(`note: ${note}`);
        log(`store ${event.storeDir} (${event.store}), ${event.workers} decode worker(s), batch ${event.batchSize}, shard ${event.shardSize}`);
        return;
      case 'embedding':
        return progress(event.progress);
      case 'embedded':
        return log(
          `embedded ${event.embedded} images in ${event.seconds.toFixed(1)} s (${(event.embedded / Math.max(event.seconds, 1e-9)).toFixed(1)} images/s), ${event.skipped} already in the store, ${event.errors} unreadable`,
        );
      case 'searched':
        log(`${event.index} search over ${event.distinctImages} distinct images (${event.duplicates} identical copies collapsed) in ${event.seconds.toFixed(2)} s`);
        if (event.recall !== undefined) log(`usearch recall@${event.k} against exact search on ${event.recallQueries} sampled queries: ${event.recall.toFixed(4)}`);
        return;
      case 'committed':
        return;
      case 'jobs':
        return jobs(event);
      case 'warning':
        return log(`warning: ${event.message}`);
      case 'queued':
        return log(event.line);
    }
  };
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

function cosineFlag(name: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < -1 || number > 1) throw new InvalidArgumentError(`${name} must be a cosine between -1 and 1, got '${value}'`);
  return number;
}

function integerFlag(name: string, value: string, min: number): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}, got '${value}'`);
  return number;
}
