import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, listChoices, processAlive } from '@mmvp/core';
import { renderContactSheet } from './contact-sheet';
import { formatCsv } from '@mmvp/results';
import { generatePair, SUPPORTED_SIZES_MAX, SUPPORTED_SIZES_MIN, type GeneratedPair } from './generate-pair';
import { PATTERNS, VLM_FOLDERS, patternIndex, type PatternName } from './patterns';
import { SYNTH_JPEG_QUALITY, encodeJpeg } from './jpeg';
import { encodePng } from './png';
import { createRng } from './rng';
import type { TrainRecord } from './train-record';

/** MMVP-Synth split: 'eval' (the benchmark) or 'train' (disjoint seeds, for training the zoo). */
export type SynthSplit = 'eval' | 'train';
/** Both splits, for validation and error messages. */
export const SYNTH_SPLITS: readonly SynthSplit[] = ['eval', 'train'];

/** Bumped whenever the same seed would give different images or text. */
export const SYNTH_GENERATOR_VERSION = 1;

/** Options of writeSynth: output folder, seed, pairs per pattern, image size and split. */
export interface WriteSynthOptions {
  /** Output folder (created if missing). */
  readonly out: string;
  /** Seed: same seed, same options -> byte-identical files. Default 0. */
  readonly seed?: number;
  /** Eval split: pairs per pattern (15 = the real MMVP-VLM's 9 x 15 layout). Default 15. */
  readonly pairsPerPattern?: number;
  /** Image side in pixels (224 or 336 for the study's encoders). Default 224. */
  readonly size?: number;
  /** `eval` writes the MMVP and MMVP-VLM folders, `train` the training split. Default `eval`. */
  readonly split?: SynthSplit;
  /** Train split: number of pairs (patterns round-robin). Default 900. */
  readonly count?: number;
  /** Write DIR/contact-sheets/ (default true). */
  readonly contactSheets?: boolean;
  /** Replace existing output folders instead of refusing (default false). */
  readonly overwrite?: boolean;
  /**
   * Image files: 'jpeg' (`<k>.jpg`, 4:4:4 at quality 95: what the original scripts and Cambrian open)
   * or 'png' (lossless). Default: 'jpeg' for the eval split, 'png' for the training split.
   */
  readonly imageFormat?: SynthImageFormat;
  /**
   * Eval split: the total number of MMVP pairs, spread over the nine patterns as evenly as possible
   * (the first patterns get one more); 150 gives the official 300 questions / 300 images. Default:
   * 9 x pairsPerPattern. MMVP-VLM keeps pairsPerPattern per pattern (its script needs 15).
   */
  readonly pairs?: number;
  /** Called after each pair is written. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Image file formats synth writes. */
export const SYNTH_IMAGE_FORMATS = ['jpeg', 'png'] as const;
/** Image file format of MMVP-Synth images. */
export type SynthImageFormat = (typeof SYNTH_IMAGE_FORMATS)[number];

/** The folder of MMVP-VLM images, named as the original `evaluate_vlm.py` opens it (its README says `MMVP_VLM_Images`). */
const SYNTH_VLM_IMAGE_FOLDER = 'MLLM_VLM Images';

/** How `pairs` MMVP pairs spread over the nine patterns: as even as possible, earlier patterns first. */
export function pairsPerPatternOf(pairs: number): number[] {
  return PATTERNS.map((_, index) => Math.floor(pairs / PATTERNS.length) + (index < pairs % PATTERNS.length ? 1 : 0));
}

/** What writeSynth wrote: split, seed, size, pair and image counts, and the files. */
export interface SynthSummary {
  readonly split: SynthSplit;
  readonly seed: number;
  readonly size: number;
  readonly pairs: number;
  readonly images: number;
  /** Files written, relative to `out`. */
  readonly files: readonly string[];
}

/** Pairs of one pattern shown on its contact sheet. */
const SHEET_PAIRS = 8;

/**
 * Writes a synthetic benchmark. Eval split layout (the real benchmarks' layouts, PNG images):
 * - `MMVP/Questions.csv` (`Index,Question,Options,Correct Answer`), `MMVP/MMVP Images/<k>.png`,
 *   rows (2i-1, 2i) = pair i, both rows the same question with different answers;
 *   `MMVP/patterns.csv` (`Index,Pattern`), the question -> pattern map the real release lacks.
 * - `MMVP_VLM/Questions.csv` (`Question ID,Type,Statement`), `MMVP_VLM/MMVP_VLM_Images/<Type>/<id>.png`,
 *   ids 1..2P per pattern block in the benchmark's pattern order: pair p belongs to pattern
 *   floor(p / pairsPerPattern), so with 15 pairs per pattern it is exactly the real 9 x 15 layout.
 *   MMVP pair i and MMVP-VLM pair i are the same two images (pattern blocks in both).
 * - `ground-truth.jsonl` (one object per pair), `synth.json` (settings and counts).
 * Train split: `train/train.jsonl` (see TrainRecord) + `train/images/<n>.png`.
 * Pair j of a pattern depends only on (seed, split, pattern, j): asking for more pairs per pattern
 * keeps the first ones identical.
 */
export async function writeSynth(options: WriteSynthOptions): Promise<SynthSummary> {
  const seed = options.seed ?? 0;
  const size = options.size ?? 224;
  const split = options.split ?? 'eval';
  const pairsPerPattern = options.pairsPerPattern ?? 15;
  const count = options.count ?? 900;
  const imageFormat = options.imageFormat ?? (split === 'eval' ? 'jpeg' : 'png');
  if (!SYNTH_IMAGE_FORMATS.includes(imageFormat)) throw new InvalidArgumentError(`unknown image format '${String(imageFormat)}'; valid choices: ${listChoices(SYNTH_IMAGE_FORMATS)}`);
  checkInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('size', size, SUPPORTED_SIZES_MIN, SUPPORTED_SIZES_MAX);
  if (!SYNTH_SPLITS.includes(split)) throw new InvalidArgumentError(`unknown split '${String(split)}'; valid choices: ${listChoices(SYNTH_SPLITS)}`);
  if (split === 'eval') {
    checkInteger('pairsPerPattern', pairsPerPattern, 1, 100_000);
    if (options.count !== undefined) throw new InvalidArgumentError('count applies to the train split only; for the eval split use pairsPerPattern (--pairs-per-pattern)');
    if (options.pairs !== undefined) checkInteger('pairs', options.pairs, 1, 900_000);
  } else {
    checkInteger('count', count, 1, 10_000_000);
    if (options.pairsPerPattern !== undefined) throw new InvalidArgumentError('pairsPerPattern applies to the eval split only; for the train split use count (--count)');
    if (options.pairs !== undefined) throw new InvalidArgumentError('pairs applies to the eval split only; for the train split use count (--count)');
  }
  prepareOutputFolder(options.out);
  const folders = split === 'eval' ? ['MMVP', 'MMVP_VLM'] : ['train'];
  for (const folder of folders) {
    const path = join(options.out, folder);
    if (!options.overwrite && existsSync(path) && readdirSync(path).length > 0) {
      throw new InvalidArgumentError(`${path} already exists and is not empty; choose another output folder or pass overwrite (--force) to replace its files`);
    }
  }
  const encode = (rgb: Uint8Array): Promise<Buffer> => (imageFormat === 'jpeg' ? encodeJpeg(rgb, size, size) : Promise.resolve(encodePng(rgb, size, size)));
  const extension: ImageWriter['extension'] = imageFormat === 'jpeg' ? '.jpg' : '.png';
  const images: ImageWriter = { encode, extension, format: imageFormat };
  // Written into a fresh staging folder inside `out`, then swapped in: a replaced set (overwrite) keeps
  // nothing of the old one (no extra images of a larger old set, no old contact sheets of this split),
  // and a run that fails while generating leaves the old set untouched.
  removeLeftovers(options.out);
  const staging = join(options.out, `${STAGING_PREFIX}${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  let summary: SynthSummary;
  try {
    const inStaging = { ...options, out: staging };
    summary = split === 'eval' ? await writeEval(inStaging, seed, size, pairsPerPattern, images) : await writeTrain(inStaging, seed, size, count, images);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  swapIn(options.out, staging, split === 'eval' ? [...folders, 'ground-truth.jsonl', 'synth.json'] : folders, split);
  return summary;
}

const STAGING_PREFIX = '.synth-staging-';
const OLD_PREFIX = '.synth-old-';

/** Staging and old-set folders left by a killed run (their process is gone) are removed. */
function removeLeftovers(out: string): void {
  for (const name of readdirSync(out)) {
    const prefix = [STAGING_PREFIX, OLD_PREFIX].find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    if (!processAlive(pid)) rmSync(join(out, name), { recursive: true, force: true });
  }
}

/**
 * Moves the staged outputs into `out`: each top-level entry of this split replaces the old one whole,
 * and in the shared contact-sheets/ folder this split's sheets (`<split>-*.png`) replace the old ones
 * of this split (the other split's sheets stay).
 */
function swapIn(out: string, staging: string, entries: readonly string[], split: SynthSplit): void {
  const old = join(out, `${OLD_PREFIX}${process.pid}-${Date.now()}`);
  mkdirSync(old);
  for (const entry of entries) {
    if (existsSync(join(out, entry))) renameSync(join(out, entry), join(old, entry));
    renameSync(join(staging, entry), join(out, entry));
  }
  const sheets = join(out, 'contact-sheets');
  if (existsSync(sheets)) {
    mkdirSync(join(old, 'contact-sheets'));
    for (const name of readdirSync(sheets)) if (name.startsWith(`${split}-`)) renameSync(join(sheets, name), join(old, 'contact-sheets', name));
  }
  const newSheets = join(staging, 'contact-sheets');
  if (existsSync(newSheets)) {
    mkdirSync(sheets, { recursive: true });
    for (const name of readdirSync(newSheets)) renameSync(join(newSheets, name), join(sheets, name));
  }
  rmSync(old, { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
}

/** Creates the output folder, or fails with one line when `out` (or a folder above it) is a file. */
function prepareOutputFolder(out: string): void {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(out, { throwIfNoEntry: false });
  } catch {
    info = undefined; // ENOTDIR and the like: mkdirSync below reports them
  }
  if (info !== undefined && !info.isDirectory()) throw new InvalidArgumentError(`output folder ${out} is a file; choose a folder path (it is created if missing)`);
  try {
    mkdirSync(out, { recursive: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of that path is a file, not a folder' : (cause as Error).message;
    throw new InvalidArgumentError(`cannot create the output folder ${out}: ${reason}`, { cause });
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
}

const letter = (index: 0 | 1): '(a)' | '(b)' => (index === 0 ? '(a)' : '(b)');
const optionsText = (options: readonly [string, string]): string => `(a) ${options[0]} (b) ${options[1]}`;

/** The eval split's pair j of `pattern` (independent of how many pairs are asked for). */
export function evalPair(seed: number, pattern: PatternName, j: number, size: number): GeneratedPair {
  return generatePair(pattern, createRng(seed, 'eval', patternIndex(pattern), j), size);
}

/** The train split's pair j (0-based); its pattern is PATTERNS[j % 9]. */
function trainPair(seed: number, j: number, size: number): GeneratedPair {
  const pattern = PATTERNS[j % PATTERNS.length]!;
  return generatePair(pattern, createRng(seed, 'train', j), size);
}

/** How image files are encoded and named. */
interface ImageWriter {
  readonly encode: (rgb: Uint8Array) => Promise<Buffer>;
  readonly extension: '.jpg' | '.png';
  readonly format: SynthImageFormat;
}

async function writeEval(options: WriteSynthOptions, seed: number, size: number, pairsPerPattern: number, images: ImageWriter): Promise<SynthSummary> {
  const out = options.out;
  const mmvpImages = join(out, 'MMVP', 'MMVP Images');
  mkdirSync(mmvpImages, { recursive: true });
  for (const pattern of PATTERNS) mkdirSync(join(out, 'MMVP_VLM', SYNTH_VLM_IMAGE_FOLDER, VLM_FOLDERS[pattern]), { recursive: true });
  const files: string[] = [];
  const write = (relative: string, data: string | Buffer): void => {
    writeFileSync(join(out, relative), data);
    files.push(relative);
  };
  const mmvpRows: (string | number)[][] = [['Index', 'Question', 'Options', 'Correct Answer']];
  const patternRows: (string | number)[][] = [['Index', 'Pattern']];
  const vlmRows: (string | number)[][] = [['Question ID', 'Type', 'Statement']];
  const truth: string[] = [];
  // MMVP: `pairs` spread over the patterns (default pairsPerPattern each); MMVP-VLM: pairsPerPattern
  // each, the first pairs of every pattern, so both sets share images where they overlap.
  const mmvpCounts = options.pairs === undefined ? PATTERNS.map(() => pairsPerPattern) : pairsPerPatternOf(options.pairs);
  const mmvpTotal = mmvpCounts.reduce((sum, n) => sum + n, 0);
  const vlmTotal = pairsPerPattern * PATTERNS.length;
  const total = PATTERNS.reduce((sum, _, index) => sum + Math.max(mmvpCounts[index]!, pairsPerPattern), 0);
  let mmvpPair = 0;
  let vlmPair = 0;
  let done = 0;
  for (const [patternNumber, pattern] of PATTERNS.entries()) {
    const sheet: GeneratedPair[] = [];
    const mmvpHere = mmvpCounts[patternNumber]!;
    for (let j = 0; j < Math.max(mmvpHere, pairsPerPattern); j++) {
      const pair = evalPair(seed, pattern, j, size);
      const encoded = await Promise.all([images.encode(pair.images[0].data), images.encode(pair.images[1].data)]);
      const mmvpIds = j < mmvpHere ? ([2 * ++mmvpPair - 1, 2 * mmvpPair] as const) : undefined; // 1-based, pattern blocks in order
      const vlmIds = j < pairsPerPattern ? ([2 * ++vlmPair - 1, 2 * vlmPair] as const) : undefined;
      for (const side of [0, 1] as const) {
        if (mmvpIds !== undefined) {
          const id = mmvpIds[side];
          write(join('MMVP', 'MMVP Images', `${id}${images.extension}`), encoded[side]!);
          mmvpRows.push([id, pair.question, optionsText(pair.options), letter(pair.answers[side])]);
          patternRows.push([id, pattern]);
        }
        if (vlmIds !== undefined) {
          const id = vlmIds[side];
          write(join('MMVP_VLM', SYNTH_VLM_IMAGE_FOLDER, VLM_FOLDERS[pattern], `${id}${images.extension}`), encoded[side]!);
          vlmRows.push([id, VLM_FOLDERS[pattern], pair.statements[side]]);
        }
      }
      truth.push(JSON.stringify(groundTruth(pair, mmvpIds === undefined ? null : mmvpPair, mmvpIds ?? null, vlmIds ?? null)));
      if (sheet.length < SHEET_PAIRS) sheet.push(pair);
      done++;
      options.onProgress?.(done, total);
    }
    if (options.contactSheets !== false) writeSheet(out, `eval-${patternIndex(pattern) + 1}`, pattern, sheet, write);
  }
  write(join('MMVP', 'Questions.csv'), formatCsv(mmvpRows));
  write(join('MMVP', 'patterns.csv'), formatCsv(patternRows));
  write(join('MMVP_VLM', 'Questions.csv'), formatCsv(vlmRows));
  write('ground-truth.jsonl', truth.join('\n') + '\n');
  write(
    'synth.json',
    manifest({
      split: 'eval',
      seed,
      size,
      pairs: mmvpTotal,
      pairsPerPattern,
      mmvpPairsPerPattern: mmvpCounts,
      vlmPairs: vlmTotal,
      imageFormat: images.format,
      ...(images.format === 'jpeg' ? { jpeg: { quality: SYNTH_JPEG_QUALITY, chromaSubsampling: '4:4:4' } } : {}),
    }),
  );
  return { split: 'eval', seed, size, pairs: mmvpTotal, images: 2 * total, files };
}

async function writeTrain(options: WriteSynthOptions, seed: number, size: number, count: number, images: ImageWriter): Promise<SynthSummary> {
  const out = options.out;
  mkdirSync(join(out, 'train', 'images'), { recursive: true });
  const files: string[] = [];
  const write = (relative: string, data: string | Buffer): void => {
    writeFileSync(join(out, relative), data);
    files.push(relative);
  };
  const lines: string[] = [];
  const sheets = new Map<PatternName, GeneratedPair[]>();
  const digits = Math.max(6, String(2 * count).length);
  for (let j = 0; j < count; j++) {
    const pair = trainPair(seed, j, size);
    for (const side of [0, 1] as const) {
      const image = `images/${String(2 * j + side + 1).padStart(digits, '0')}${images.extension}`;
      write(join('train', image), await images.encode(pair.images[side].data));
      const answer = pair.answers[side];
      const record: TrainRecord = {
        image,
        caption: pair.captions[side],
        caption_states_pattern: pair.captionStatesPattern[side],
        question: pair.question,
        options: pair.options,
        options_text: optionsText(pair.options),
        answer: letter(answer),
        answer_text: pair.options[answer],
        statement: pair.statements[side],
        pattern: pair.pattern,
        pattern_index: patternIndex(pair.pattern),
        pair_id: j + 1,
        side,
        attribute: pair.attribute,
        value: pair.values[side],
        region: pair.region,
        subject: pair.subject,
        width: size,
        height: size,
      };
      lines.push(JSON.stringify(record));
    }
    const sheet = sheets.get(pair.pattern) ?? [];
    if (sheet.length < SHEET_PAIRS) sheets.set(pair.pattern, [...sheet, pair]);
    options.onProgress?.(j + 1, count);
  }
  write(join('train', 'train.jsonl'), lines.join('\n') + '\n');
  if (options.contactSheets !== false) {
    for (const pattern of PATTERNS) {
      const sheet = sheets.get(pattern);
      if (sheet) writeSheet(out, `train-${patternIndex(pattern) + 1}`, pattern, sheet, write);
    }
  }
  write(join('train', 'synth.json'), manifest({ split: 'train', seed, size, pairs: count, imageFormat: images.format }));
  return { split: 'train', seed, size, pairs: count, images: 2 * count, files };
}

function writeSheet(out: string, prefix: string, pattern: PatternName, pairs: readonly GeneratedPair[], write: (relative: string, data: Buffer) => void): void {
  mkdirSync(join(out, 'contact-sheets'), { recursive: true });
  const slug = pattern.toLowerCase().replace(/[^a-z]+/g, '-');
  write(join('contact-sheets', `${prefix}-${slug}.png`), renderContactSheet(`${pattern} (${prefix.startsWith('eval') ? 'eval' : 'train'} split)`, pairs));
}

/** Ground truth of one eval pair, as written to ground-truth.jsonl. */
function groundTruth(pair: GeneratedPair, pairNumber: number | null, mmvpIds: readonly [number, number] | null, vlmIds: readonly [number, number] | null): Record<string, unknown> {
  return {
    pair: pairNumber,
    pattern: pair.pattern,
    mmvp_rows: mmvpIds,
    vlm_ids: vlmIds,
    vlm_type: VLM_FOLDERS[pair.pattern],
    subject: pair.subject,
    attribute: pair.attribute,
    values: pair.values,
    question: pair.question,
    options: pair.options,
    answers: pair.answers.map(letter),
    statements: pair.statements,
    captions: pair.captions,
    caption_states_pattern: pair.captionStatesPattern,
    region: pair.region,
    size: pair.size,
  };
}

function manifest(fields: Record<string, unknown>): string {
  return (
    JSON.stringify(
      {
        generator: '@mmvp/synth',
        generatorVersion: SYNTH_GENERATOR_VERSION,
        ...fields,
        patterns: PATTERNS.map((pattern) => ({ pattern, vlmType: VLM_FOLDERS[pattern] })),
      },
      null,
      2,
    ) + '\n'
  );
}
