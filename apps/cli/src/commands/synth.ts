import type { Command } from 'commander';
import { PATTERNS, SYNTH_GENERATOR_VERSION, SYNTH_JPEG_QUALITY, pairsPerPatternOf, writeSynth, type WriteSynthOptions } from '@mmvp/synth';
import { withRunFolderLock } from '@mmvp/results';
import { declareFlags } from '../flags/declare-flags';
import { jsonFlag, runtimeKeys } from '../flags/shared-flags';
import type { FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { checkOutputFolder } from '../output-file';
import { createProgressPrinter } from '../run/progress-printer';
import { parseSynthOptions, synthOptionsSchema } from '../schemas/synth-options';

/** writeSynth's options as flags. */
const synthFlags: FlagTable<WriteSynthOptions> = {
  out: {
    flag: '--out <dir>',
    description: 'output folder (created if missing): eval writes MMVP/, MMVP_VLM/, ground-truth.jsonl, synth.json; train writes train/ (train.jsonl, images/, synth.json); both contact-sheets/',
  },
  seed: { flag: '--seed <n>', description: 'seed; the same seed gives byte-identical files' },
  pairsPerPattern: { flag: '--pairs-per-pattern <n>', description: 'eval split: pairs per pattern (default 15 = MMVP-VLM layout: 9 x 15 pairs); MMVP gets the same unless --pairs is given' },
  pairs: {
    flag: '--pairs <n>',
    description: 'eval split: total MMVP pairs, spread over the nine patterns as evenly as possible (150 = the official 300 questions / 300 images that Cambrian expects); MMVP-VLM keeps --pairs-per-pattern',
  },
  imageFormat: {
    flag: '--image-format <format>',
    description: `jpeg writes <k>.jpg (4:4:4, quality ${SYNTH_JPEG_QUALITY}), what the original MMVP scripts and Cambrian open; png is lossless (default: jpeg for eval, png for train)`,
  },
  size: { flag: '--size <px>', description: 'image side in pixels (224 or 336 for the study)' },
  split: { flag: '--split <split>', description: 'which split' },
  count: { flag: '--count <n>', description: 'train split: number of pairs (patterns round-robin; default 900)' },
  contactSheets: { flag: '--no-contact-sheets', description: 'skip DIR/contact-sheets/*.png' },
  overwrite: { flag: '--force', description: 'replace the outputs of this split in an existing non-empty output folder (the new set replaces the old one whole)' },
  onProgress: runtimeKeys.onEvent,
};
const cliFlags: FlagTable<{ json?: boolean }> = { json: jsonFlag('print the summary as one JSON document on stdout') };

/** `mmvp synth`: a procedural benchmark of CLIP-blind-style pairs (MMVP and MMVP-VLM layouts, or a training split), deterministic by seed. */
export function registerSynth(program: Command): void {
  const command = program.command('synth').description('write a synthetic benchmark of image pairs that differ in one visual pattern, in the MMVP and MMVP-VLM layouts (or a training split)');
  declareFlags(declareFlags(command, synthFlags, synthOptionsSchema), cliFlags).action(async (values: Record<string, unknown>) => {
    const options = parseSynthOptions(optionsFromFlags(synthFlags, values)); // the split rules, before the header line
    const out = await checkOutputFolder(options.out, '--out'); // created (by the lock) only after the flags are checked
    const { split, seed, size } = options;
    const imageFormat = options.imageFormat ?? (split === 'eval' ? 'jpeg' : 'png');
    const perPattern = options.pairsPerPattern ?? 15;
    const mmvpCounts = options.pairs === undefined ? PATTERNS.map(() => perPattern) : pairsPerPatternOf(options.pairs);
    const total = split === 'eval' ? mmvpCounts.reduce((sum, n) => sum + Math.max(n, perPattern), 0) : (options.count ?? 900);
    const layout =
      split === 'train'
        ? `${total} pairs`
        : options.pairs === undefined
          ? `${perPattern} pairs per pattern x ${PATTERNS.length} patterns = ${perPattern * PATTERNS.length} pairs`
          : `${options.pairs} MMVP pairs (${mmvpCounts.join('/')} per pattern), MMVP-VLM ${perPattern} per pattern`;
    const format = imageFormat === 'jpeg' ? `JPEG (4:4:4, quality ${SYNTH_JPEG_QUALITY})` : 'PNG';
    const printer = createProgressPrinter('mmvp synth');
    printer.line(`@mmvp/synth generator v${SYNTH_GENERATOR_VERSION}, split ${split}, seed ${seed}, ${size}x${size} ${format}, ${layout} -> ${String(values['out'])}`);
    const started = Date.now();
    // one writer at a time: a second run into this folder fails at once, naming this one
    const summary = await withRunFolderLock(out, 'synth', () => writeSynth({ ...options, out, imageFormat, onProgress: (done, all) => printer.bar('pairs', done, all) })).finally(printer.finish);
    const seconds = (Date.now() - started) / 1000;
    if (values['json']) process.stdout.write(`${JSON.stringify({ ...summary, files: summary.files.length, seconds })}\n`);
    else process.stdout.write(`wrote ${summary.pairs} pairs (${summary.images} images, ${summary.files.length} files) to ${String(values['out'])} in ${seconds.toFixed(1)} s\n`);
  });
}
