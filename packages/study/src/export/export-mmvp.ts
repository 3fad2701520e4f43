import { copyFile, mkdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { LABEL_SETS, loadMmvp, readPatternMap, type LabelCorrection, type LabelSet } from '@mmvp/datasets';
import { z } from 'zod';
import { EXPORT_TARGETS, LMMS_EVAL_GOLD_OVERRIDE, VLMEVALKIT_COLUMNS, VLMEVALKIT_PAIR_DATASET, type ExportTarget } from './field-formats';
import { formatCsv, withRunFolderLock, writeFileAtomic } from '@mmvp/results';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';
import { workflowEmitter } from '../runner/workflow-events';
import type { ExportEvent } from './export-events';

export type { ExportEvent } from './export-events';

/** Options of {@link exportMmvp}, checked with zod (unknown keys are refused). */
export const exportMmvpOptionsSchema = z
  .object({
    /** An MMVP-format folder (Questions.csv + `MMVP Images/`), or a folder holding `MMVP/`. */
    data: z.string().min(1),
    to: z.enum(EXPORT_TARGETS),
    /** vlmevalkit: the .tsv file to write (its base name is the dataset name); hf: the dataset folder. */
    out: z.string().min(1),
    labels: z.enum(LABEL_SETS as unknown as readonly [LabelSet, ...LabelSet[]]).default('original'),
    /** Dataset name for the harness (default: the TSV's base name, or the folder's name). */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only')
      .optional(),
    /** Replace an existing output. */
    force: z.boolean().default(false),
    /** Stops before the next image is read or copied. */
    abortSignal: z.custom<AbortSignal>((value) => value === undefined || value instanceof AbortSignal).optional(),
    /** Receives the run's events (typed in {@link ExportMmvpOptions}). */
    onEvent: z.function().optional(),
  })
  .strict();
/** What a caller passes to {@link exportMmvp}: the MMVP folder, the target tool's format and the output folder. */
export type ExportMmvpOptions = Omit<z.input<typeof exportMmvpOptionsSchema>, 'onEvent'> & {
  /** Called when the export is done: its warnings, then the files written. */
  readonly onEvent?: (event: ExportEvent) => void;
};

/** What {@link exportMmvp} wrote: the target format, the files and how many questions. */
export interface ExportMmvpResult {
  readonly target: ExportTarget;
  readonly name: string;
  /** Files written, the data file first. */
  readonly files: readonly string[];
  readonly rows: number;
  readonly labels: LabelSet;
  /** With `labels: 'corrected'`: each known correction and whether it applied to this set (none may). */
  readonly labelCorrections: readonly LabelCorrection[];
  /** Things the user must know before running the harness (e.g. a pair VLMEvalKit's MMVP scoring would refuse). */
  readonly warnings: readonly string[];
  /** The command(s) to run in the harness. */
  readonly usage: readonly string[];
}

interface ExportRow {
  readonly index: number;
  readonly question: string;
  readonly optionsText: string;
  readonly options: readonly [string, string];
  readonly answer: 'a' | 'b';
  readonly category: string;
  readonly imagePath: string;
}

/**
 * Writes an MMVP-format folder (the real release or MMVP-Synth) in a form another harness reads
 * unchanged: `vlmevalkit` = one TSV with base64 images (file bytes as they are, no re-encoding) plus a
 * `--config` JSON naming it a CustomMCQDataset; `hf` = a Hugging Face `imagefolder` dataset (images +
 * metadata.jsonl with an integer `Index`) plus an lmms-eval task YAML that points the stock `mmvp`
 * task at it. Rows whose pair was skipped by the loader are left out (whole pairs only). The options are
 * checked first, before anything is read or written: a bad one is one InvalidArgumentError naming the key
 * and the valid choices (as is an --out inside --data).
 */
export async function exportMmvp(input: ExportMmvpOptions): Promise<ExportMmvpResult> {
  const options = parseWorkflowOptions('exportMmvp', exportMmvpOptionsSchema, input);
  await refuseOutInsideData(options.out, options.data);
  const mmvpDir = (await stat(join(options.data, 'Questions.csv')).catch(() => undefined)) ? options.data : join(options.data, 'MMVP');
  const dataset = await loadMmvp(mmvpDir, { labels: options.labels });
  const patternsFile = join(mmvpDir, 'patterns.csv');
  const patterns = (await stat(patternsFile).catch(() => undefined)) ? await readPatternMap(patternsFile) : new Map<number, string>();
  const rows: ExportRow[] = dataset.questions.map((question) => ({
    index: question.id,
    question: question.question,
    optionsText: question.optionsText,
    options: question.options,
    answer: question.answer,
    category: patterns.get(question.id) ?? '',
    imagePath: question.imagePath,
  }));
  if (rows.length === 0) throw new InvalidArgumentError(`${mmvpDir}: no question pairs to export`);
  const written = await (options.to === 'vlmevalkit' ? writeVlmEvalKit(rows, options) : writeHfImageFolder(rows, options));
  const warnings = [...labelWarnings(options.labels, dataset.labelCorrections), ...written.warnings];
  const emit = workflowEmitter<ExportEvent>('export', input.onEvent);
  for (const message of warnings) emit({ type: 'warning', message });
  emit({ type: 'written', files: written.files });
  return { ...written, labelCorrections: dataset.labelCorrections, warnings };
}

/** `--labels corrected` on a set where none of the known corrections applies: the file's own labels are written. */
function labelWarnings(labels: LabelSet, corrections: readonly LabelCorrection[]): string[] {
  if (labels !== 'corrected' || corrections.some((correction) => correction.applied)) return [];
  return [
    `--labels corrected: no correction applied (rows ${corrections.map((correction) => correction.rows.join('/')).join(' and ')} are not the known rows of the MMVP release in this set); the labels written are the file's own`,
  ];
}

/**
 * An export written inside the set it reads (`MMVP Images/`, or anywhere under --data) would be read
 * back as part of the set by the next load or export, and `--force` would delete the set's own files.
 */
async function refuseOutInsideData(out: string, data: string): Promise<void> {
  const dataFolder = await realpath(data).catch(() => resolve(data));
  const outPath = await realpathOfExistingPart(resolve(out));
  const inside = relative(dataFolder, outPath);
  if (inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside)))
    throw new InvalidArgumentError(`--out ${out} is inside --data ${data}: an export must not be written into the set it reads; choose an --out outside ${data}`);
}

/** `path` with its longest existing prefix resolved through symbolic links (the rest need not exist yet). */
async function realpathOfExistingPart(path: string): Promise<string> {
  const real = await realpath(path).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = dirname(path);
  return parent === path ? path : join(await realpathOfExistingPart(parent), basename(path));
}

/**
 * A dataset name that would be taken for the real MMVP: VLMEvalKit's `MMVP` (its built-in class
 * downloads the official TSV over the export, and the export would share `$LMUData/MMVP.tsv` and
 * `$LMUData/images/MMVP/` with it), lmms-eval's `mmvp` (the task file `mmvp.yaml` would replace the
 * stock task's). Compared case-insensitively: both are file names, and some file systems ignore case.
 */
function refuseOfficialName(name: string, target: ExportTarget): void {
  if (name.toLowerCase() !== VLMEVALKIT_PAIR_DATASET.toLowerCase()) return;
  throw new InvalidArgumentError(
    target === 'vlmevalkit'
      ? `dataset name '${name}' is VLMEvalKit's official MMVP: \`--data MMVP\` checks the md5 of $LMUData/MMVP.tsv and downloads the official file over this export, and the two would share the image cache $LMUData/images/MMVP/; ` +
          "give another --name (or --out file name): the export's config still scores pairs the MMVP way, under its own $LMUData"
      : `task name '${name}' is lmms-eval's stock mmvp task: its file ${name}.yaml would replace lmms_eval/tasks/mmvp/mmvp.yaml; give another --name`,
  );
}

/** Pairs whose two questions differ as text: VLMEvalKit's report_acc_MMVP asserts they are equal (multiple_choice.py:614-616). */
function pairsWithTwoQuestions(rows: readonly ExportRow[]): string[] {
  const differing: string[] = [];
  for (let i = 0; i + 1 < rows.length; i += 2) if (rows[i]!.question !== rows[i + 1]!.question) differing.push(`${rows[i]!.index}/${rows[i + 1]!.index}`);
  return differing;
}

async function refuseExisting(path: string, force: boolean): Promise<void> {
  if (!(await stat(path).catch(() => undefined))) return;
  if (!force) throw new InvalidArgumentError(`--out ${path} already exists; pass --force to replace it`);
  await rm(path, { recursive: true, force: true });
}

async function writeVlmEvalKit(rows: readonly ExportRow[], options: z.output<typeof exportMmvpOptionsSchema>): Promise<Omit<ExportMmvpResult, 'labelCorrections'>> {
  if (extname(options.out) !== '.tsv') throw new InvalidArgumentError(`--out ${options.out}: --to vlmevalkit writes one TSV file; give a path ending in .tsv (its base name is the dataset name)`);
  const name = options.name ?? basename(options.out, '.tsv');
  refuseOfficialName(name, 'vlmevalkit');
  const configFile = join(dirname(options.out), `${name}.config.json`);
  // A private $LMUData in which the export is MMVP.tsv: VLMEvalKit then scores pairs (its dataset
  // name is MMVP) without touching the official file or image cache of the user's own $LMUData.
  const lmuData = join(dirname(options.out), `${name}.lmudata`);
  await mkdir(dirname(resolve(options.out)), { recursive: true });
  await refuseExisting(options.out, options.force);
  await refuseExisting(lmuData, options.force);
  const table: (string | number)[][] = [[...VLMEVALKIT_COLUMNS]];
  for (const row of rows) {
    options.abortSignal?.throwIfAborted();
    const image = (await readFile(row.imagePath)).toString('base64');
    table.push([row.index, image, row.question, row.options[0], row.options[1], row.answer.toUpperCase(), row.category]);
  }
  // written atomically, so a killed export never leaves a TSV that looks whole; fields quoted as pandas reads them back
  await writeFileAtomic(options.out, formatCsv(table, { delimiter: '\t' }));
  await mkdir(lmuData, { recursive: true });
  await symlink(join('..', basename(options.out)), join(lmuData, `${VLMEVALKIT_PAIR_DATASET}.tsv`));
  // run.py --config: the key names the prediction files (<model>_<name>.xlsx), `dataset` the TSV and the scoring
  await writeFile(configFile, `${JSON.stringify({ data: { [name]: { class: 'CustomMCQDataset', dataset: VLMEVALKIT_PAIR_DATASET } } }, null, 2)}\n`);
  const differing = pairsWithTwoQuestions(rows);
  const warnings =
    differing.length === 0
      ? []
      : [
          `VLMEvalKit's MMVP scoring asserts that both questions of a pair are the same text (report_acc_MMVP), and rows ${differing.slice(0, 10).join(', ')}${differing.length > 10 ? ', ...' : ''} differ: ` +
            'its evaluation will stop there; grade its predictions file with mmvp grade instead (the last command below)',
        ];
  return {
    target: 'vlmevalkit',
    name,
    files: [options.out, configFile, join(lmuData, `${VLMEVALKIT_PAIR_DATASET}.tsv`)],
    rows: rows.length,
    labels: options.labels,
    warnings,
    usage: [
      `# add your model under "model" in ${configFile}, then (VLMEvalKit's own pair accuracy: Overall = pairs, Average = questions, in <model>_${name}_acc.csv):`,
      `LMUData=${resolve(lmuData)} python run.py --config ${resolve(configFile)} --work-dir <work-dir>`,
      `# pair and per-question accuracy with 95% intervals, from VLMEvalKit's predictions (our rule grader; VLMEvalKit does not read lowercase '(a)' answers):`,
      `mmvp grade --questions <the Questions.csv exported> --answers <work-dir>/<model>/<eval-id>/<model>_${name}.xlsx --out <dir>`,
    ],
  };
}

async function writeHfImageFolder(rows: readonly ExportRow[], options: z.output<typeof exportMmvpOptionsSchema>): Promise<Omit<ExportMmvpResult, 'labelCorrections'>> {
  const name = options.name ?? basename(resolve(options.out));
  refuseOfficialName(name, 'hf');
  // lmms-eval v0.6 / v0.6.1 scored these rows against A whatever the set says; later releases use the set's own gold
  const overridden = rows.filter((row) => LMMS_EVAL_GOLD_OVERRIDE.answers.get(row.index) !== undefined && LMMS_EVAL_GOLD_OVERRIDE.answers.get(row.index)!.toLowerCase() !== row.answer);
  return withRunFolderLock(options.out, 'export', async () => {
    for (const stale of ['metadata.jsonl', 'images', `${name}.yaml`]) await refuseExisting(join(options.out, stale), options.force);
    await mkdir(join(options.out, 'images'), { recursive: true });
    const metadata: string[] = [];
    for (const row of rows) {
      options.abortSignal?.throwIfAborted();
      const fileName = `images/${row.index}${extname(row.imagePath).toLowerCase()}`;
      await copyFile(row.imagePath, join(options.out, fileName));
      // imagefolder: `file_name` names the image; every other key becomes a column (Index stays an int)
      metadata.push(JSON.stringify({ file_name: fileName, Index: row.index, Question: row.question, Options: row.optionsText, 'Correct Answer': `(${row.answer})`, category: row.category }));
    }
    const metadataFile = join(options.out, 'metadata.jsonl');
    await writeFileAtomic(metadataFile, `${metadata.join('\n')}\n`);
    const taskFile = join(options.out, `${name}.yaml`);
    await writeFile(taskFile, lmmsEvalTaskYaml(name, resolve(options.out)));
    return {
      target: 'hf',
      name,
      files: [metadataFile, taskFile, join(options.out, 'images')],
      rows: rows.length,
      labels: options.labels,
      warnings: [],
      usage: [
        `python -c "import datasets; print(datasets.load_dataset('imagefolder', data_dir='${resolve(options.out)}')['train'])"`,
        `cp ${taskFile} <lmms-eval checkout>/lmms_eval/tasks/mmvp/   # next to the stock mmvp task's utils.py and _default_template_yaml`,
        `python -m lmms_eval --model llava --model_args pretrained=<model> --tasks ${name} --batch_size 1 --log_samples --output_path <dir>` +
          (overridden.length === 0 ? '' : `   # lmms-eval v0.7 or later: ${LMMS_EVAL_GOLD_OVERRIDE.releases.join(' and ')} scored Index ${overridden.map((row) => row.index).join(', ')} against A, not this set's (b)`),
        `mmvp grade --questions <the Questions.csv exported> --answers <dir>/<model>/<date>_samples_${name}.jsonl --out <dir>   # pairs by each record's mmvp_accuracy.index; 95% intervals`,
      ],
    };
  });
}

/**
 * An lmms-eval task that reuses the stock `mmvp` task (prompt, target, metrics) and only swaps its
 * data: the local imagefolder instead of the hub dataset (`dataset_kwargs` replaces the template's).
 */
export function lmmsEvalTaskYaml(name: string, dataDir: string): string {
  return [
    `# lmms-eval task for the MMVP-format set in ${dataDir}, written by \`mmvp export --to hf\`.`,
    '# Put this file in lmms_eval/tasks/mmvp/ (it includes the stock task and its utils.py).',
    'dataset_path: imagefolder',
    'dataset_kwargs:',
    `  data_dir: ${JSON.stringify(dataDir)}`,
    `task: ${JSON.stringify(name)}`,
    'include: _default_template_yaml',
    '',
  ].join('\n');
}
