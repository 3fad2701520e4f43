import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DatasetError, FileFormatError, parseWithSchema, readJsonFile } from '@mmvp/core';
import { parseCsv, type CsvRecord } from './parse-csv';
import {
  answerLineSchema,
  answerRecordSchema,
  blindPairColumns,
  blindPairSchema,
  mllmScoresSchema,
  mmvpScoresSchema,
  resultFileNames,
  runInfoSchema,
  seedsSchema,
  sweepSchema,
  vlmEvaluationSchema,
  vlmScoresSchema,
  workflowFileNames,
  type AnswerLine,
  type AnswerRecord,
  type BlindPair,
  type ResultsBundle,
} from './results-schema';
import { blindPairsFromMine, mllmScoresFromScores, popeReportFrom, vlmScoresFromEvaluation } from './workflow-files';

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new FileFormatError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Reads blind-pairs.csv; errors name the file, the line and the column. */
function parseBlindPairs(text: string, source: string): BlindPair[] {
  return blindPairsFromRecords(parseCsv(text, source), source);
}

function blindPairsFromRecords(records: readonly CsvRecord[], source: string): BlindPair[] {
  if (records.length === 0) throw new DatasetError(`${source} is empty; expected the header ${blindPairColumns.join(',')}`);
  const header = records[0]!.fields.map((cell) => cell.trim());
  const required = blindPairColumns.filter((column) => column !== 'pattern');
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new DatasetError(`${source}: missing column(s) ${missing.join(', ')}; expected ${blindPairColumns.join(',')}`);
  const at = (name: string) => header.indexOf(name);
  return records.slice(1).map(({ fields, line }) => {
    const number = (column: string): number => {
      const raw = (fields[at(column)] ?? '').trim();
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new DatasetError(`${source} line ${line}: ${column} '${raw}' is not a number`);
      return value;
    };
    const pattern = at('pattern') >= 0 ? (fields[at('pattern')] ?? '').trim() : '';
    return parseWithSchema(
      blindPairSchema,
      {
        imageA: (fields[at('image_a')] ?? '').trim(),
        imageB: (fields[at('image_b')] ?? '').trim(),
        clipSimilarity: number('clip_similarity'),
        dinoSimilarity: number('dino_similarity'),
        ...(pattern === '' ? {} : { pattern }),
      },
      `${source} line ${line}`,
    );
  });
}

/** Reads answers.jsonl (any writer's: one schema, answerLineSchema); each line is validated and errors name the line. */
function parseAnswers(text: string, source: string): AnswerLine[] {
  const records: AnswerLine[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (cause) {
      throw new DatasetError(`${source} line ${index + 1} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
    records.push(parseWithSchema(answerLineSchema, json, `${source} line ${index + 1}`));
  });
  return records;
}

/** The graded lines of an answers file (the demo's and the sweep's), checked as graded records. */
function gradedAnswers(lines: readonly AnswerLine[], source: string): AnswerRecord[] {
  return lines.flatMap((line, index) => (line.correct === undefined ? [] : [parseWithSchema(answerRecordSchema, line, `${source} answer ${index + 1}`)]));
}

/** eval-vlm's per-pair table before 0.2 was named pairs.csv; its header starts with this column. */
const OLD_VLM_PAIRS_FIRST_COLUMN = 'qid1';

/**
 * Reads and validates a run folder: each file by its name, with the one schema the table in
 * result-files.ts gives it (see results-schema.ts). Absent files are skipped; a folder with none of
 * them is an error that lists the expected names. Names read for one more release (notes say so):
 * eval-vlm's vlm-scores.json and pairs.csv of before 0.2 (now vlm-eval-scores.json, vlm-pairs.csv).
 */
export async function readResults(directory: string): Promise<ResultsBundle> {
  let info;
  try {
    info = await stat(directory);
  } catch (cause) {
    throw new DatasetError(`results folder ${directory} does not exist`, { cause });
  }
  if (!info.isDirectory()) throw new DatasetError(`${directory} is not a folder; pass the folder that mmvp demo or mmvp sweep wrote`);
  const path = (name: string) => join(directory, name);
  const present = async (name: string) => exists(path(name));
  const bundle: { -readonly [K in keyof ResultsBundle]: ResultsBundle[K] } = { directory };
  const notes: string[] = [];
  const read: string[] = [];
  if (await present(resultFileNames.run)) {
    bundle.run = await readJsonFile(path(resultFileNames.run), runInfoSchema);
    read.push(resultFileNames.run);
  }
  if (await present(resultFileNames.vlmScores)) {
    const file = path(resultFileNames.vlmScores);
    const json = await readJsonFile(file, z.unknown());
    const current = vlmScoresSchema.safeParse(json);
    if (!current.success && vlmEvaluationSchema.safeParse(json).success) {
      bundle.vlmScores = vlmScoresFromEvaluation(json, file);
      notes.push(`${resultFileNames.vlmScores} is mmvp eval-vlm's file of before 0.2, read under its old name for this release; it is now ${workflowFileNames.vlmEvaluation}`);
    } else bundle.vlmScores = parseWithSchema(vlmScoresSchema, json, file);
    read.push(resultFileNames.vlmScores);
  } else if (await present(workflowFileNames.vlmEvaluation)) {
    const file = path(workflowFileNames.vlmEvaluation);
    bundle.vlmScores = vlmScoresFromEvaluation(await readJsonFile(file, z.unknown()), file);
    read.push(workflowFileNames.vlmEvaluation);
  }
  if (await present(resultFileNames.mllmScores)) {
    bundle.mllmScores = await readJsonFile(path(resultFileNames.mllmScores), mllmScoresSchema);
    read.push(resultFileNames.mllmScores);
  } else if (await present(workflowFileNames.mmvpScores)) {
    const file = path(workflowFileNames.mmvpScores);
    const fromScores = mllmScoresFromScores(await readJsonFile(file, mmvpScoresSchema), bundle.run);
    if (fromScores !== undefined) {
      bundle.mllmScores = parseWithSchema(mllmScoresSchema, fromScores, file);
      read.push(workflowFileNames.mmvpScores);
    }
  }
  if (await present(resultFileNames.sweep)) {
    bundle.sweep = await readJsonFile(path(resultFileNames.sweep), sweepSchema);
    read.push(resultFileNames.sweep);
  }
  if (await present(resultFileNames.seeds)) {
    bundle.seeds = await readJsonFile(path(resultFileNames.seeds), seedsSchema);
    read.push(resultFileNames.seeds);
  }
  if (await present(resultFileNames.blindPairs)) {
    bundle.blindPairs = parseBlindPairs(await readText(path(resultFileNames.blindPairs)), path(resultFileNames.blindPairs));
    read.push(resultFileNames.blindPairs);
  } else if (await present(workflowFileNames.minePairs)) {
    const file = path(workflowFileNames.minePairs);
    const records = parseCsv(await readText(file), file);
    if (records[0]?.fields[0]?.trim() === OLD_VLM_PAIRS_FIRST_COLUMN) {
      notes.push(`${workflowFileNames.minePairs} is mmvp eval-vlm's per-pair table of before 0.2 (now ${workflowFileNames.vlmPairs}); the report shows no blind pairs from it`);
    } else {
      bundle.blindPairs = blindPairsFromMine(records, file);
      read.push(workflowFileNames.minePairs);
    }
  }
  if (await present(workflowFileNames.pope)) {
    bundle.pope = popeReportFrom(await readJsonFile(path(workflowFileNames.pope), z.unknown()), path(workflowFileNames.pope));
    read.push(workflowFileNames.pope);
  }
  if (await present(resultFileNames.answers)) {
    const file = path(resultFileNames.answers);
    const graded = gradedAnswers(parseAnswers(await readText(file), file), file);
    if (graded.length > 0) {
      bundle.answers = graded;
      read.push(resultFileNames.answers);
    } else notes.push(`${resultFileNames.answers} holds no graded answers (an answering run's log; its scores are in ${workflowFileNames.mmvpScores})`);
  }
  if (read.length === 0) {
    throw new DatasetError(
      `results folder ${directory} has none of the result files; expected one or more of ${[...Object.values(resultFileNames), ...Object.values(workflowFileNames)].join(', ')}` +
        (notes.length > 0 ? `; ${notes.join('; ')}` : ''),
    );
  }
  if (notes.length > 0) bundle.notes = notes;
  const order: string[] = [...Object.values(resultFileNames), ...Object.values(workflowFileNames)];
  return { ...bundle, read: read.sort((a, b) => order.indexOf(a) - order.indexOf(b)) };
}
