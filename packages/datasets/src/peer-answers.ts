import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DatasetError, FileFormatError } from '@mmvp/core';
import type { AnswerRecord } from './answers-file';
import { parseCsv, type CsvRecord } from './csv';
import { readXlsxTable } from './xlsx-table';

/** Per-sample output files of the field's harnesses that `mmvp grade` reads besides answers.jsonl. */
export type PeerAnswersFormat = 'lmms-eval-samples' | 'lmms-eval-logs' | 'vlmevalkit-predictions';

/** Answers read from a peer tool's output file, in our answers.jsonl fields. */
export interface PeerAnswers {
  readonly format: PeerAnswersFormat;
  readonly answers: AnswerRecord[];
}

/** An lmms-eval sample: the document it answered and the model's (filtered) responses. */
interface LmmsEvalSample {
  readonly doc_id?: unknown;
  readonly doc?: Record<string, unknown>;
  readonly resps?: unknown;
  readonly filtered_resps?: unknown;
}

function firstText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0) return firstText(value[0]);
  return undefined;
}

/**
 * The MMVP question id (1-based row) of an lmms-eval sample: the document's `Index` / `index` /
 * `idx` (what lmms-eval's mmvp task pairs by), else `doc_id + 1` (its 0-based position in the split).
 */
function lmmsQuestionId(sample: LmmsEvalSample): number | undefined {
  const doc = sample.doc ?? {};
  for (const key of ['Index', 'index', 'idx']) {
    const value = doc[key];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    if (typeof value === 'string' && /^\d+$/.test(value.trim()) && Number(value) > 0) return Number(value);
  }
  return typeof sample.doc_id === 'number' && Number.isInteger(sample.doc_id) ? sample.doc_id + 1 : undefined;
}

function fromLmmsSamples(samples: readonly { sample: LmmsEvalSample; line: number }[], path: string, format: PeerAnswersFormat): PeerAnswers {
  const problems: string[] = [];
  const answers: AnswerRecord[] = [];
  for (const { sample, line } of samples) {
    const questionId = lmmsQuestionId(sample);
    const response = firstText(sample.filtered_resps) ?? firstText(sample.resps);
    if (questionId === undefined) problems.push(`${path}:${line}: no doc.Index / doc.index / doc_id to name the question`);
    else if (response === undefined) problems.push(`${path}:${line}: no filtered_resps / resps text`);
    else answers.push({ questionId, response, line, fields: sample as Record<string, unknown> });
  }
  if (problems.length > 0) throw new DatasetError(`${path} is not a readable lmms-eval samples file:\n  ${problems.slice(0, 10).join('\n  ')}`);
  return { format, answers: checkUnique(answers, path) };
}

function checkUnique(answers: AnswerRecord[], path: string): AnswerRecord[] {
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
  const index = columns.indexOf('index');
  const prediction = columns.indexOf('prediction');
  if (index < 0 || prediction < 0) {
    throw new FileFormatError(`${path}: a VLMEvalKit prediction table needs the columns 'index' and 'prediction'; found ${columns.map((c) => `'${c}'`).join(', ') || 'none'}`);
  }
  const answers = rows
    .filter((row) => row.fields.some((field) => field !== ''))
    .map((row) => {
      const id = Number(row.fields[index]);
      if (!Number.isInteger(id) || id < 1) throw new DatasetError(`${path}:${row.line}: index '${row.fields[index]}' is not a positive integer`);
      return { questionId: id, response: row.fields[prediction] ?? '', line: row.line, fields: Object.fromEntries(columns.map((c, i) => [c, row.fields[i]])) };
    });
  return { format: 'vlmevalkit-predictions', answers: checkUnique(answers, path) };
}

/**
 * Reads another harness's per-sample output as MMVP answers, or returns undefined when the file is
 * none of them (then it is an answers.jsonl of the original script's fields):
 * - lmms-eval `--log_samples` JSONL (`samples_<task>.jsonl`: `doc_id`, `doc`, `filtered_resps`),
 *   and the older single JSON with a `logs` array;
 * - VLMEvalKit's prediction file (`<model>_<dataset>.xlsx` by default, `.tsv` with PRED_FORMAT=tsv):
 *   columns `index` ... `prediction`.
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
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    const logs = (parsed as { logs?: unknown }).logs;
    if (!Array.isArray(logs)) return undefined;
    return fromLmmsSamples(
      logs.map((sample, i) => ({ sample: sample as LmmsEvalSample, line: i + 1 })),
      path,
      'lmms-eval-logs',
    );
  }
  // JSONL: lmms-eval samples carry doc_id and resps; the original script's answers carry question_id.
  const firstLine = text.split('\n').find((line) => line.trim() !== '');
  if (firstLine === undefined) return undefined;
  let first: Record<string, unknown>;
  try {
    first = JSON.parse(firstLine) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!('doc_id' in first) || !('resps' in first || 'filtered_resps' in first) || 'question_id' in first) return undefined;
  const samples = text
    .split('\n')
    .map((line, i) => ({ text: line, line: i + 1 }))
    .filter((entry) => entry.text.trim() !== '')
    .map((entry) => {
      try {
        return { sample: JSON.parse(entry.text) as LmmsEvalSample, line: entry.line };
      } catch (error) {
        throw new DatasetError(`${path}:${entry.line}: not valid JSON (${(error as Error).message})`);
      }
    });
  return fromLmmsSamples(samples, path, 'lmms-eval-samples');
}
