import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { LABEL_SETS, loadMmvp, readPatternMap, type LabelSet } from '@mmvp/datasets';
import { z } from 'zod';
import { withRunFolderLock } from '../run-folder/run-folder-lock';
import { EXPORT_TARGETS, LMMS_EVAL_FORCED_ANSWERS, VLMEVALKIT_COLUMNS, tsvField, type ExportTarget } from './field-formats';

/** Options of {@link exportMmvp}, checked with zod (unknown keys are refused). */
export const exportMmvpOptionsSchema = z
  .object({
    /** An MMVP-format folder (Questions.csv + `MMVP Images/`), or a folder holding `MMVP/`. */
    data: z.string().min(1),
    to: z.enum(EXPORT_TARGETS, { errorMap: () => ({ message: `to must be ${listChoices(EXPORT_TARGETS)}` }) }),
    /** vlmevalkit: the .tsv file to write (its base name is the dataset name); hf: the dataset folder. */
    out: z.string().min(1),
    labels: z.enum(LABEL_SETS as unknown as readonly [LabelSet, ...LabelSet[]]).default('original'),
    /** Dataset name for the harness (default: the TSV's base name, or the folder's name). */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'name: letters, digits, _ . - only')
      .optional(),
    /** Replace an existing output. */
    force: z.boolean().default(false),
  })
  .strict();
/** What a caller passes to {@link exportMmvp}: the MMVP folder, the target tool's format and the output folder. */
export type ExportMmvpOptions = z.input<typeof exportMmvpOptionsSchema>;

/** What {@link exportMmvp} wrote: the target format, the files and how many questions. */
export interface ExportMmvpResult {
  readonly target: ExportTarget;
  readonly name: string;
  /** Files written, the data file first. */
  readonly files: readonly string[];
  readonly rows: number;
  readonly labels: LabelSet;
  /** Things the user must know before running the harness (e.g. lmms-eval's forced labels). */
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
 * task at it. Rows whose pair was skipped by the loader are left out (whole pairs only).
 */
export async function exportMmvp(input: ExportMmvpOptions): Promise<ExportMmvpResult> {
  const parsed = exportMmvpOptionsSchema.safeParse(input);
  if (!parsed.success) throw new InvalidArgumentError(`exportMmvp: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')}`);
  const options = parsed.data;
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
  const warnings = lmmsEvalLabelWarnings(rows);
  return options.to === 'vlmevalkit' ? writeVlmEvalKit(rows, options, warnings) : writeHfImageFolder(rows, options, warnings);
}

/** lmms-eval scores Index 99/100/279/280 against fixed letters; say which rows of this set that breaks. */
function lmmsEvalLabelWarnings(rows: readonly ExportRow[]): string[] {
  const broken = rows.filter((row) => {
    const forced = LMMS_EVAL_FORCED_ANSWERS.get(row.index);
    return forced !== undefined && forced.toLowerCase() !== row.answer;
  });
  if (broken.length === 0) return [];
  return [
    `lmms-eval's mmvp task overrides the gold answer of Index ${[...LMMS_EVAL_FORCED_ANSWERS.keys()].join(', ')} (its fix of the real MMVP's swapped labels); ` +
      `in this set row(s) ${broken.map((row) => row.index).join(', ')} would be scored against the wrong letter. Re-score lmms-eval's samples file against this set's Questions.csv, or leave those pairs out.`,
  ];
}

async function refuseExisting(path: string, force: boolean): Promise<void> {
  if (!(await stat(path).catch(() => undefined))) return;
  if (!force) throw new InvalidArgumentError(`--out ${path} already exists; pass --force to replace it`);
  await rm(path, { recursive: true, force: true });
}

async function writeVlmEvalKit(rows: readonly ExportRow[], options: z.output<typeof exportMmvpOptionsSchema>, warnings: string[]): Promise<ExportMmvpResult> {
  if (extname(options.out) !== '.tsv') throw new InvalidArgumentError(`--out ${options.out}: --to vlmevalkit writes one TSV file; give a path ending in .tsv (its base name is the dataset name)`);
  const name = options.name ?? basename(options.out, '.tsv');
  const configFile = join(dirname(options.out), `${name}.config.json`);
  await mkdir(dirname(resolve(options.out)), { recursive: true });
  await refuseExisting(options.out, options.force);
  const lines = [VLMEVALKIT_COLUMNS.join('\t')];
  for (const row of rows) {
    const image = (await readFile(row.imagePath)).toString('base64');
    lines.push([row.index, image, row.question, row.options[0], row.options[1], row.answer.toUpperCase(), row.category].map(tsvField).join('\t'));
  }
  // write-then-rename so a killed export never leaves a TSV that looks whole
  await writeFile(`${options.out}.partial`, `${lines.join('\n')}\n`);
  await rename(`${options.out}.partial`, options.out);
  await writeFile(configFile, `${JSON.stringify({ data: { [name]: { class: 'CustomMCQDataset', dataset: name } } }, null, 2)}\n`);
  return {
    target: 'vlmevalkit',
    name,
    files: [options.out, configFile],
    rows: rows.length,
    labels: options.labels,
    warnings,
    usage: [
      `cp ${options.out} "$LMUData/${name}.tsv"   # VLMEvalKit reads custom datasets from $LMUData (default ~/LMUData)`,
      `python run.py --config ${configFile} --model <model>   # add your model under "model" in that JSON, or: python run.py --data ${name} --model <model>`,
    ],
  };
}

async function writeHfImageFolder(rows: readonly ExportRow[], options: z.output<typeof exportMmvpOptionsSchema>, warnings: string[]): Promise<ExportMmvpResult> {
  const name = options.name ?? basename(resolve(options.out));
  return withRunFolderLock(options.out, 'export', async () => {
    for (const stale of ['metadata.jsonl', 'images', `${name}.yaml`]) await refuseExisting(join(options.out, stale), options.force);
    await mkdir(join(options.out, 'images'), { recursive: true });
    const metadata: string[] = [];
    for (const row of rows) {
      const fileName = `images/${row.index}${extname(row.imagePath).toLowerCase()}`;
      await copyFile(row.imagePath, join(options.out, fileName));
      // imagefolder: `file_name` names the image; every other key becomes a column (Index stays an int)
      metadata.push(JSON.stringify({ file_name: fileName, Index: row.index, Question: row.question, Options: row.optionsText, 'Correct Answer': `(${row.answer})`, category: row.category }));
    }
    const metadataFile = join(options.out, 'metadata.jsonl');
    await writeFile(`${metadataFile}.partial`, `${metadata.join('\n')}\n`);
    await rename(`${metadataFile}.partial`, metadataFile);
    const taskFile = join(options.out, `${name}.yaml`);
    await writeFile(taskFile, lmmsEvalTaskYaml(name, resolve(options.out)));
    return {
      target: 'hf',
      name,
      files: [metadataFile, taskFile, join(options.out, 'images')],
      rows: rows.length,
      labels: options.labels,
      warnings,
      usage: [
        `python -c "import datasets; print(datasets.load_dataset('imagefolder', data_dir='${resolve(options.out)}')['train'])"`,
        `cp ${taskFile} <lmms-eval checkout>/lmms_eval/tasks/mmvp/   # next to the stock mmvp task's utils.py and _default_template_yaml`,
        `python -m lmms_eval --model llava --model_args pretrained=<model> --tasks ${name} --batch_size 1 --log_samples --output_path <dir>`,
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
