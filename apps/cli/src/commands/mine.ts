import { join } from 'node:path';
import type { Command } from 'commander';
import { mineBlindPairs, mineBlindPairsOptionsSchema, type MineBlindPairsOptions } from '@mmvp/study';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { queueFlags, runtimeKeys } from '../flags/shared-flags';
import { checkOutputFolder } from '../output-file';
import { withInterrupt } from '../run/interrupt';
import { createProgressPrinter } from '../run/progress-printer';

/** mineBlindPairs' options as flags. */
const mineFlags: FlagTable<MineBlindPairsOptions> = {
  clip: { flag: '--clip <dir>', description: 'CLIP or SigLIP model folder (config.json model_type clip or siglip, onnx/vision_model.onnx, preprocessor_config.json)' },
  dino: { flag: '--dino <dir>', description: 'DINOv2 model folder (onnx/model.onnx, preprocessor_config.json)' },
  images: { flag: '--images <dir|list>', description: 'image folder (walked recursively, symlinks followed) or a text file with one image path per line' },
  out: { flag: '--out <dir>', description: 'output folder: pairs.csv, errors.csv, duplicates.csv, contact-sheet.png, summary.json, manifest.json (written last: the set is complete), store/' },
  clipMin: { flag: '--clip-min <cosine>', description: 'keep pairs with CLIP cosine above this' },
  dinoMax: { flag: '--dino-max <cosine>', description: 'keep pairs with DINOv2 cosine below this' },
  k: { flag: '--k <n>', description: 'CLIP neighbours per image taken as candidates' },
  index: { flag: '--index <kind>', description: 'candidate search' },
  resume: { flag: '--resume', description: 'continue the embedding store in --out (a killed run, or a grown collection: only new images are embedded)' },
  rebuild: { flag: '--rebuild', description: 'discard an existing store (e.g. made with other models) and embed everything again' },
  workers: { flag: '--workers <n>', description: 'image decode worker threads (0 = main thread; default: cores - 1 up to 4, 0 on 2 cores or fewer)' },
  batchSize: { flag: '--batch-size <n>', description: 'images per encoder call' },
  shardSize: { flag: '--shard-size <n>', description: 'images per store shard (the unit a killed run resumes from, and one job with --queue)' },
  recallSample: { flag: '--recall-sample <n>', description: 'queries on which usearch recall is measured against exact search' },
  contactSheet: { flag: '--contact-sheet <n>', description: 'pairs shown in contact-sheet.png' },
  queue: queueFlags(
    'embed distributed: one job per store shard on Redis (redis://HOST:PORT[/DB]) for `mmvp worker`s (they need the images and the same model files); this process alone writes store/ and the results; with --resume enqueues only missing shards',
    notAFlag("mine's --shard-size sizes the store shards, one job each"),
  ),
  abortSignal: runtimeKeys.abortSignal,
  onEvent: runtimeKeys.onEvent,
};

/** `mmvp mine`: flags in, `mineBlindPairs` (@mmvp/study) does the work, progress lines out. */
export function registerMine(program: Command): void {
  const command = program.command('mine').description('mine CLIP-blind pairs (CLIP cosine high, DINOv2 cosine low) from an image collection');
  declareFlags(command, mineFlags, mineBlindPairsOptionsSchema).action(async (values: Record<string, unknown>) => {
    const options = optionsFromFlags(mineFlags, values) as MineBlindPairsOptions;
    const out = await checkOutputFolder(options.out, '--out'); // nothing created until the inputs are checked
    const printer = createProgressPrinter('mine');
    const kept = 'the shards written so far are kept, rerun with --resume';
    const result = await withInterrupt(kept, (abortSignal) => mineBlindPairs({ ...options, out, abortSignal, onEvent: printer.event })).finally(printer.finish);
    const pairsCsv = join(result.out, 'pairs.csv');
    const sheet = result.contactSheetPairs > 0 ? `; contact sheet of the top ${result.contactSheetPairs}: ${join(result.out, 'contact-sheet.png')}` : '';
    printer.line(`${result.pairs.length} CLIP-blind pair(s) -> ${pairsCsv}${sheet}`);
    if (result.errors.length > 0) printer.line(`${result.errors.length} unreadable image(s) listed in ${join(result.out, 'errors.csv')}`);
    process.stdout.write(`${pairsCsv}\n`);
  });
}
