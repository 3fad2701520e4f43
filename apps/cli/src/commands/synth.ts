import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { PATTERNS, SYNTH_GENERATOR_VERSION, SYNTH_SPLITS, writeSynth, type SynthSplit } from '@mmvp/synth';
import type { Command } from 'commander';

interface SynthFlags {
  out: string;
  seed: string;
  pairsPerPattern?: string;
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
    .requiredOption('--out <dir>', 'output folder')
    .option('--seed <n>', 'seed; the same seed gives byte-identical files', '0')
    .option('--pairs-per-pattern <n>', 'eval split: pairs per pattern (default 15 = MMVP-VLM layout: 9 x 15 pairs)')
    .option('--size <px>', 'image side in pixels (224 or 336 for the study)', '224')
    .option('--split <split>', `which split: ${listChoices(SYNTH_SPLITS)}`, 'eval')
    .option('--count <n>', 'train split: number of pairs (patterns round-robin; default 900)')
    .option('--no-contact-sheets', 'skip DIR/contact-sheets/*.png')
    .option('--force', 'replace files in an existing non-empty output folder')
    .option('--json', 'print the summary as one JSON document on stdout')
    .action((flags: SynthFlags) => {
      const split = flags.split as SynthSplit;
      if (!SYNTH_SPLITS.includes(split)) throw new InvalidArgumentError(`--split '${flags.split}' is not valid; valid choices: ${listChoices(SYNTH_SPLITS)}`);
      const seed = integerFlag('--seed', flags.seed);
      const size = integerFlag('--size', flags.size);
      const pairsPerPattern = flags.pairsPerPattern === undefined ? undefined : integerFlag('--pairs-per-pattern', flags.pairsPerPattern);
      const count = flags.count === undefined ? undefined : integerFlag('--count', flags.count);
      if (split === 'eval' && count !== undefined) throw new InvalidArgumentError('--count applies to --split train; for the eval split use --pairs-per-pattern');
      if (split === 'train' && pairsPerPattern !== undefined) throw new InvalidArgumentError('--pairs-per-pattern applies to --split eval; for the train split use --count');
      const total = split === 'eval' ? (pairsPerPattern ?? 15) * PATTERNS.length : (count ?? 900);
      process.stderr.write(
        `mmvp synth: @mmvp/synth generator v${SYNTH_GENERATOR_VERSION}, split ${split}, seed ${seed}, ${size}x${size} PNG, ` +
          (split === 'eval' ? `${pairsPerPattern ?? 15} pairs per pattern x ${PATTERNS.length} patterns = ${total} pairs` : `${total} pairs`) +
          ` -> ${flags.out}\n`,
      );
      const started = Date.now();
      const step = Math.max(1, Math.ceil(total / 20));
      const tty = process.stderr.isTTY === true;
      const summary = writeSynth({
        out: flags.out,
        seed,
        size,
        split,
        pairsPerPattern,
        count,
        contactSheets: flags.contactSheets,
        overwrite: flags.force === true,
        onProgress: (done, all) => {
          if (tty) process.stderr.write(`\r  ${done}/${all} pairs`);
          else if (done % step === 0 || done === all) process.stderr.write(`  ${done}/${all} pairs\n`);
        },
      });
      if (tty) process.stderr.write('\n');
      const seconds = (Date.now() - started) / 1000;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...summary, files: summary.files.length, seconds })}\n`);
      } else {
        process.stdout.write(`wrote ${summary.pairs} pairs (${summary.images} images, ${summary.files.length} files) to ${flags.out} in ${seconds.toFixed(1)} s\n`);
      }
    });
}

function integerFlag(name: string, text: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) throw new InvalidArgumentError(`${name} must be an integer, got '${text}'`);
  return value;
}
