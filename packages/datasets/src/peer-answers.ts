import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DatasetError, FileFormatError } from '@mmvp/core';
import type { AnswerLine } from './answers-file';
import { parseCsv, type CsvRecord } from '@mmvp/results';
import { readXlsxTable } from './xlsx-table';

/** Per-sample output files of the field's harnesses that `mmvp grade` reads besides answers.jsonl. */
export type PeerAnswersFormat = 'lmms-eval-samples' | 'lmms-eval-logs' | 'vlmevalkit-predictions' | 'cambrian-answers';

/** An answer of a peer's file, with the text the peer says it asked (to check the pairing). */
export interface PeerAnswerRecord extends AnswerLine {
  /**
   * Text that must contain the question of the row the answer is paired with: lmms-eval's `input`
   * (the prompt), Cambrian's `prompt`, VLMEvalKit's `question` column. Undefined when the file has none.
   */
  readonly askedText?: string;
}

/** Answers read from a peer tool's output file, in our answers.jsonl fields. */
export interface PeerAnswers {
  readonly format: PeerAnswersFormat;
  readonly answers: PeerAnswerRecord[];
  /** How each answer was given its question id, e.g. `mmvp_accuracy.index + 1`. */
  readonly pairedBy: string;
  /** What the reader could tell about the file that changes how its peer scored it. */
  readonly warnings: readonly string[];
}

/**
 * An lmms-eval sample. Since v0.4 (2025-07, every version with the `mmvp` task) `save_results_samples`
 * pops `doc` (lmms_eval/loggers/evaluation_tracker.py:286 at 75571cf), so a record is `doc_id, target,
 * filtered_resps, token_counts, doc_hash, mmvp_accuracy, mmvp_pair_accuracy, input`; `mmvp_accuracy` is
 * what the task's `mmvp_process_results` returned (tasks/mmvp/utils.py:150-184): `index` = Index - 1.
 */
interface LmmsEvalSample {
  readonly doc_id?: unknown;
  readonly doc?: Record<string, unknown>;
  readonly target?: unknown;
  readonly resps?: unknown;
  readonly filtered_resps?: unknown;
  readonly input?: unknown;
  readonly mmvp_accuracy?: Record<string, unknown>;
}

function firstText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0) return firstText(value[0]);
  return undefined;
}

function positiveInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value) && Number(value) > 0) return Number(value);
  return undefined;
}

/**
 * The MMVP question id (1-based Index) of an lmms-eval sample and what gave it: the record's own
 * `mmvp_accuracy.index` + 1 (what the mmvp task pairs by, `pair_index = index // 2`), else the
 * document's `Index` / `index` / `idx` (files of custom tasks that keep `doc`), else `doc_id + 1`
 * (its 0-based position in the split: right only while the dataset is in Index order).
 */
function lmmsQuestionId(sample: LmmsEvalSample): { id: number; by: string } | undefined {
  const index = sample.mmvp_accuracy?.['index'];
  if (typeof index === 'number' && Number.isInteger(index) && index >= 0) return { id: index + 1, by: 'mmvp_accuracy.index + 1' };
  for (const key of ['Index', 'index', 'idx']) {
    const id = positiveInteger(sample.doc?.[key]);
    if (id !== undefined) return { id, by: `doc.${key}` };
  }
  if (typeof sample.doc_id === 'number' && Number.isInteger(sample.doc_id) && sample.doc_id >= 0) return { id: sample.doc_id + 1, by: 'doc_id + 1' };
  return undefined;
}

/**
 * lmms-eval from 34465550 (2026-01-29) to d8fcb9c3 (2026-03-01, v0.7), i.e. releases v0.6 and v0.6.1,
 * scored Index 100 and 280 against A whatever the dataset said (`GROUND_TRUTH_CORRECTIONS`), and its
 * records say so: `mmvp_accuracy` carries `correction_applied` and `original_gt`. Other versions score
 * the dataset's own `Correct Answer` and their records have neither key.
 */
function overrideWarning(samples: readonly { sample: LmmsEvalSample; line: number }[], path: string): string[] {
  const marked = samples.filter(({ sample }) => sample.mmvp_accuracy !== undefined && 'correction_applied' in sample.mmvp_accuracy);
  if (marked.length === 0) return [];
  const changed = marked.filter(({ sample }) => sample.mmvp_accuracy!['correction_applied'] === true && sample.mmvp_accuracy!['gt'] !== sample.mmvp_accuracy!['original_gt']);
  const rows = changed.map(({ sample, line }) => `line ${line} (Index ${Number(sample.mmvp_accuracy!['index']) + 1}: ${String(sample.mmvp_accuracy!['original_gt'])} -> ${String(sample.mmvp_accuracy!['gt'])})`);
  return [
    `${path} was written by lmms-eval v0.6 or v0.6.1 (its records carry mmvp_accuracy.correction_applied), which scored Index 100 and 280 against A whatever the dataset said; ` +
      (rows.length === 0 ? 'no gold of this file was changed by it' : `its scores used a gold other than the dataset's on ${rows.join(', ')}`) +
      '; mmvp grade scores every row against Questions.csv',
  ];
}

function fromLmmsSamples(samples: readonly { sample: LmmsEvalSample; line: number }[], path: string, format: PeerAnswersFormat): PeerAnswers {
  const problems: string[] = [];
  const answers: PeerAnswerRecord[] = [];
  const pairedBy = new Set<string>();
  for (const { sample, line } of samples) {
    const question = lmmsQuestionId(sample);
    const response = firstText(sample.filtered_resps) ?? firstText(sample.resps);
    if (question === undefined) problems.push(`${path}:${line}: no mmvp_accuracy.index, doc.Index or doc_id to name the question`);
    else if (response === undefined) problems.push(`${path}:${line}: no filtered_resps / resps text`);
    else {
      pairedBy.add(question.by);
      const askedText = typeof sample.input === 'string' ? sample.input : undefined;
      const target = typeof sample.target === 'string' ? sample.target : undefined;
      answers.push({ questionId: question.id, response, line, fields: sample as Record<string, unknown>, ...(askedText === undefined ? {} : { askedText }), ...(target === undefined ? {} : { answer: target }) });
    }
  }
  if (problems.length > 0) throw new DatasetError(`${path} is not a readable lmms-eval samples file:\n  ${problems.slice(0, 10).join('\n  ')}`);
  const warnings = overrideWarning(samples, path);
  if (pairedBy.has('doc_id + 1')) {
    warnings.push(
      `${path}: some records carry neither mmvp_accuracy.index nor doc.Index, so they are paired by doc_id + 1 (their position in the dataset), which is right only while the dataset lists the questions in Index order`,
    );
  }
  return { format, answers: checkUnique(answers, path), pairedBy: [...pairedBy].join(' / '), warnings };
}

/**
 * Cambrian's answers file (eval/eval/mmvp/mmvp_eval.py:150-157 at 539ffc3): `question_id` is the
 * 0-based position of the row in Questions.csv (`idx`), the response is in `answer`, the gold in
 * `gt_answer`, and `prompt` is the whole templated prompt.
 */
function fromCambrianAnswers(records: readonly { value: Record<string, unknown>; line: number }[], path: string): PeerAnswers {
  const problems: string[] = [];
  const answers: PeerAnswerRecord[] = [];
  for (const { value, line } of records) {
    const position = value['question_id'];
    const response = value['answer'];
    if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) problems.push(`${path}:${line}: question_id ${JSON.stringify(position)} is not a 0-based row number`);
    else if (typeof response !== 'string') problems.push(`${path}:${line}: answer (the model's response in Cambrian's file) is not a string`);
    else {
      const gold = value['gt_answer'];
      const prompt = value['prompt'];
      answers.push({ questionId: position + 1, response, line, fields: value, ...(typeof gold === 'string' ? { answer: gold } : {}), ...(typeof prompt === 'string' ? { askedText: prompt } : {}) });
    }
  }
  if (problems.length > 0) throw new DatasetError(`${path} is not a readable Cambrian answers file:\n  ${problems.slice(0, 10).join('\n  ')}`);
  return { format: 'cambrian-answers', answers: checkUnique(answers, path), pairedBy: 'question_id + 1 (Cambrian counts rows from 0)', warnings: [] };
}

function checkUnique(answers: PeerAnswerRecord[], path: string): PeerAnswerRecord[] {
  const seen = new Map<number, number>();
  const repeats: string[] = [];
  for (const answer of answers) {
    const first = seen.get(answer.questionId);
    if (first !== undefined) repeats.push(`question ${answer.questionId} at lines ${first} and ${answer.line}`);
    else seen.set(answer.questionId, answer.line);
  }
  if (repeats.length > 0) throw new DatasetError(`${path} answers a question twice: ${repeats.slice(0, 5).join('; ')}`);
  return answers;
}

/** VLMEvalKit's prediction table (header row first): question = `index`, response = `prediction`. */
function fromPredictionTable([header, ...rows]: readonly CsvRecord[], path: string): PeerAnswers {
  const columns = header?.fields ?? [];
  if (!columns.includes('index') || !columns.includes('prediction')) {
    throw new FileFormatError(`${path}: a VLMEvalKit prediction table needs the columns 'index' and 'prediction'; found ${columns.map((c) => `'${c}'`).join(', ') || 'none'}`);
  }
  const records = rows.filter((row) => row.fields.some((field) => field !== '')).map((row) => ({ value: Object.fromEntries(columns.map((c, i) => [c, row.fields[i]])) as Record<string, unknown>, line: row.line }));
  return fromPredictionRecords(records, path);
}

/**
 * VLMEvalKit's prediction records (one per row of the table it saves, `vlmeval/smp/file.py:149-187` at
 * e8e78f0): the question is `index` (the TSV's Index), the response `prediction`, the gold letter
 * `answer`, the question text `question`.
 */
function fromPredictionRecords(records: readonly { value: Record<string, unknown>; line: number }[], path: string): PeerAnswers {
  const answers = records.map(({ value, line }) => {
    const raw = value['index'];
    const id = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : Number.NaN;
    if (!Number.isInteger(id) || id < 1) throw new DatasetError(`${path}:${line}: index '${String(value['index'])}' is not a positive integer`);
    const prediction = value['prediction'];
    const question = value['question'];
    const gold = value['answer'];
    return {
      questionId: id,
      response: prediction === undefined || prediction === null ? '' : String(prediction),
      line,
      fields: value,
      ...(typeof question === 'string' ? { askedText: question } : {}),
      ...(typeof gold === 'string' && gold !== '' ? { answer: gold } : {}),
    };
  });
  return { format: 'vlmevalkit-predictions', answers: checkUnique(answers, path), pairedBy: 'index', warnings: [] };
}

/**
 * Python's `json.dump` writes a float NaN or infinity as the bare words `NaN`, `Infinity`, `-Infinity`
 * (allow_nan=True), which JSON.parse refuses; VLMEvalKit's .json predictions hold them wherever pandas
 * read an empty cell. Outside strings they become null.
 */
function parsePythonJson(text: string): unknown {
  return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?\bInfinity\b|\bNaN\b/g, (token) => (token.startsWith('"') ? token : 'null')));
}

/**
 * Reads another harness's per-sample output as MMVP answers, or returns undefined when the file is
 * none of them (then it is an answers.jsonl of the original script's fields):
 * - lmms-eval `--log_samples` JSONL (`samples_<task>.jsonl`: `doc_id`, `filtered_resps`,
 *   `mmvp_accuracy`, `input`; `doc` only before v0.4), and the older single JSON with a `logs` array;
 * - VLMEvalKit's prediction file (`<model>_<dataset>.xlsx` by default, `.tsv` / `.json` with
 *   PRED_FORMAT=tsv / json): `index` ... `prediction`;
 * - Cambrian's answers JSONL (`question_id` counted from 0, the response in `answer`, `gt_answer`).
 */
export async function readPeerAnswers(path: string): Promise<PeerAnswers | undefined> {
  const extension = extname(path).toLowerCase();
  if (extension === '.xlsx') {
    const rows = readXlsxTable(await readFile(path), path).map((fields, i) => ({ fields, line: i + 1 }));
    return fromPredictionTable(rows, path);
  }
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  if (extension === '.tsv') return fromPredictionTable(parseCsv(text, path, { delimiter: '\t' }), path);
  if (extension === '.json') {
    let parsed: unknown;
    try {
      parsed = parsePythonJson(text);
    } catch {
      return undefined;
    }
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((record) => typeof record === 'object' && record !== null && 'index' in record && 'prediction' in record)) {
      // VLMEvalKit with PRED_FORMAT=json: DataFrame.to_dict('records'), one object per row
      return fromPredictionRecords(
        parsed.map((value, i) => ({ value: value as Record<string, unknown>, line: i + 1 })),
        path,
      );
    }
    const logs = (parsed as { logs?: unknown } | null)?.logs;
    if (!Array.isArray(logs)) return undefined;
    return fromLmmsSamples(
      logs.map((sample, i) => ({ sample: sample as LmmsEvalSample, line: i + 1 })),
      path,
      'lmms-eval-logs',
    );
  }
  // JSONL: lmms-eval samples carry doc_id and (filtered_)resps; Cambrian's answers question_id,
  // gt_answer and text_options with no response; the original script's answers question_id and response.
  const firstLine = text.split('\n').find((line) => line.trim() !== '');
  if (firstLine === undefined) return undefined;
  let first: Record<string, unknown>;
  try {
    first = JSON.parse(firstLine) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const isLmms = 'doc_id' in first && ('resps' in first || 'filtered_resps' in first) && !('question_id' in first);
  const isCambrian = 'question_id' in first && 'gt_answer' in first && 'text_options' in first && !('response' in first);
  if (!isLmms && !isCambrian) return undefined;
  const records = text
    .split('\n')
    .map((line, i) => ({ text: line, line: i + 1 }))
    .filter((entry) => entry.text.trim() !== '')
    .map((entry) => {
      try {
        return { value: JSON.parse(entry.text) as Record<string, unknown>, line: entry.line };
      } catch (error) {
        throw new DatasetError(`${path}:${entry.line}: not valid JSON (${(error as Error).message})`);
      }
    });
  if (isCambrian) return fromCambrianAnswers(records, path);
  return fromLmmsSamples(
    records.map(({ value, line }) => ({ sample: value as LmmsEvalSample, line })),
    path,
    'lmms-eval-samples',
  );
}
