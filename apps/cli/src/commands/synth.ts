import { InvalidArgumentError, listChoices } from '@mmvp/core';
import {
  PATTERNS,
  SUPPORTED_SIZES_MAX,
  SUPPORTED_SIZES_MIN,
  SYNTH_GENERATOR_VERSION,
  SYNTH_IMAGE_FORMATS,
  SYNTH_JPEG_QUALITY,
  SYNTH_SPLITS,
  pairsPerPatternOf,
  writeSynth,
  type SynthImageFormat,
  type SynthSplit,
} from '@mmvp/synth';
import { withRunFolderLock } from '@mmvp/results';
import type { Command } from 'commander';
import { checkOutputFolder } from '../output-file';

interface SynthFlags {
  out: string;
  seed: string;
  pairsPerPattern?: string;
  pairs?: string;
  imageFormat?: string;
  size: string;
  split: string;
  count?: string;
  contactSheets: boolean;
  force?: boolean;
  json?: boolean;
}

/**
 * `mmvp synth`: a procedural benchmark of CLIP-blind-style pairs (MMVP and MMVP-VLM layouts, or a
 * training split), deterministic by seed.
 */
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('write a synthetic benchmark of image pairs that differ in one visual pattern, in the MMVP and MMVP-VLM layouts (or a training split)')
    .requiredOption('--out <dir>', 'output folder (created if missing): eval writes MMVP/, MMVP_VLM/, ground-truth.jsonl, synth.json; train writes train/ (train.jsonl, images/, synth.json); both contact-sheets/')
    .option('--seed <n>', 'seed (integer >= 0); the same seed gives byte-identical files', '0')
    .option('--pairs-per-pattern <n>', 'eval split: pairs per pattern, 1 to 100000 (default 15 = MMVP-VLM layout: 9 x 15 pairs); MMVP gets the same unless --pairs is given')
    .option(
      '--pairs <n>',
      'eval split: total MMVP pairs, 1 to 900000, spread over the nine patterns as evenly as possible (150 = the official 300 questions / 300 images that Cambrian expects); MMVP-VLM keeps --pairs-per-pattern',
    )
    .option(
      '--image-format <format>',
      `${listChoices(SYNTH_IMAGE_FORMATS)}: jpeg writes <k>.jpg (4:4:4, quality ${SYNTH_JPEG_QUALITY}), what the original MMVP scripts and Cambrian open; png is lossless (default: jpeg for eval, png for train)`,
    )
    .option('--size <px>', `image side in pixels, ${SUPPORTED_SIZES_MIN} to ${SUPPORTED_SIZES_MAX} (224 or 336 for the study)`, '224')
    .option('--split <split>', `which split: ${listChoices(SYNTH_SPLITS)}`, 'eval')
    .option('--count <n>', 'train split: number of pairs, 1 to 10000000 (patterns round-robin; default 900)')
    .option('--no-contact-sheets', 'skip DIR/contact-sheets/*.png')
    .option('--force', 'replace the outputs of this split in an existing non-empty output folder (the new set replaces the old one whole)')
    .option('--json', 'print the summary as one JSON document on stdout')
    .action(async (flags: SynthFlags) => {
      const split = flags.split as SynthSplit;
      if (!SYNTH_SPLITS.includes(split)) throw new InvalidArgumentError(`--split '${flags.split}' is not valid; valid choices: ${listChoices(SYNTH_SPLITS)}`);
      const seed = integerFlag('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER);
      const size = integerFlag('--size', flags.size, SUPPORTED_SIZES_MIN, SUPPORTED_SIZES_MAX);
      const pairsPerPattern = flags.pairsPerPattern === undefined ? undefined : integerFlag('--pairs-per-pattern', flags.pairsPerPattern, 1, 100_000);
      const count = flags.count === undefined ? undefined : integerFlag('--count', flags.count, 1, 10_000_000);
      const pairs = flags.pairs === undefined ? undefined : integerFlag('--pairs', flags.pairs, 1, 900_000);
      if (split === 'train' && pairs !== undefined) throw new InvalidArgumentError('--pairs applies to --split eval; for the train split use --count');
      if (flags.imageFormat !== undefined && !(SYNTH_IMAGE_FORMATS as readonly string[]).includes(flags.imageFormat)) {
        throw new InvalidArgumentError(`--image-format '${flags.imageFormat}' is not valid; valid choices: ${listChoices(SYNTH_IMAGE_FORMATS)}`);
      }
      const imageFormat = (flags.imageFormat ?? (split === 'eval' ? 'jpeg' : 'png')) as SynthImageFormat;
      if (split === 'eval' && count !== undefined) throw new InvalidArgumentError('--count applies to --split train; for the eval split use --pairs-per-pattern');
      if (split === 'train' && pairsPerPattern !== undefined) throw new InvalidArgumentError('--pairs-per-pattern applies to --split eval; for the train split use --count');
      const out = await checkOutputFolder(flags.out, '--out'); // created (by the lock) only after the flags are checked
      const perPattern = pairsPerPattern ?? 15;
      const mmvpCounts = pairs === undefined ? PATTERNS.map(() => perPattern) : pairsPerPatternOf(pairs);
      const total = split === 'eval' ? mmvpCounts.reduce((sum, n) => sum + Math.max(n, perPattern), 0) : (count ?? 900);
      process.stderr.write(
        `mmvp synth: @mmvp/synth generator v${SYNTH_GENERATOR_VERSION}, split ${split}, seed ${seed}, ${size}x${size} ${imageFormat === 'jpeg' ? `JPEG (4:4:4, quality ${SYNTH_JPEG_QUALITY})` : 'PNG'}, ` +
          (split === 'eval'
            ? pairs === undefined
              ? `${perPattern} pairs per pattern x ${PATTERNS.length} patterns = ${perPattern * PATTERNS.length} pairs`
              : `${pairs} MMVP pairs (${mmvpCounts.join('/')} per pattern), MMVP-VLM ${perPattern} per pattern`
            : `${total} pairs`) +
          ` -> ${flags.out}\n`,
      );
      const started = Date.now();
      const step = Math.max(1, Math.ceil(total / 20));
      const tty = process.stderr.isTTY === true;
      // one writer at a time: a second run into this folder fails at once, naming this one
      const summary = await withRunFolderLock(out, 'synth', async () =>
        writeSynth({
          out,
          seed,
          size,
          split,
          pairsPerPattern,
          count,
          imageFormat,
          ...(pairs === undefined ? {} : { pairs }),
          contactSheets: flags.contactSheets,
          overwrite: flags.force === true,
          onProgress: (done, all) => {
            if (tty) process.stderr.write(`\r  ${done}/${all} pairs`);
            else if (done % step === 0 || done === all) process.stderr.write(`  ${done}/${all} pairs\n`);
          },
        }),
      );
      if (tty) process.stderr.write('\n');
      const seconds = (Date.now() - started) / 1000;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...summary, files: summary.files.length, seconds })}\n`);
      } else {
        process.stdout.write(`wrote ${summary.pairs} pairs (${summary.images} images, ${summary.files.length} files) to ${flags.out} in ${seconds.toFixed(1)} s\n`);
      }
    });
}

/** An integer flag in [min, max]; checked before the header line, so no nonsense totals are printed. */
function integerFlag(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}
