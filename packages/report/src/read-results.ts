import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { join } from 'node:path';
import { DatasetError, FileFormatError, parseWithSchema, readJsonFile } from '@mmvp/core';
import { parseCsv } from './csv';
import {
  answerRecordSchema,
  blindPairColumns,
  blindPairSchema,
  mllmScoresSchema,
  resultFileNames,
  runInfoSchema,
  seedsSchema,
  sweepSchema,
  vlmScoresSchema,
  type AnswerRecord,
  type BlindPair,
  type ResultsBundle,
  workflowFileNames,
} from './results-schema';
import { blindPairsFromMine, isEvalVlmDocument, isMinePairs, popeReportFrom, vlmScoresFromEvalVlm } from './workflow-files';

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

/** Reads blind-pairs.csv; errors name the file, the row and the column. */
function parseBlindPairs(text: string, source: string): BlindPair[] {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new DatasetError(`${source} is empty; expected the header ${blindPairColumns.join(',')}`);
  const header = rows[0]!.map((cell) => cell.trim());
  const required = blindPairColumns.filter((column) => column !== 'pattern');
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new DatasetError(`${source}: missing column(s) ${missing.join(', ')}; expected ${blindPairColumns.join(',')}`);
  const at = (name: string) => header.indexOf(name);
  return rows.slice(1).map((cells, rowIndex) => {
    const line = rowIndex + 2;
    const number = (column: string): number => {
      const raw = (cells[at(column)] ?? '').trim();
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new DatasetError(`${source} line ${line}: ${column} '${raw}' is not a number`);
      return value;
    };
    const pattern = at('pattern') >= 0 ? (cells[at('pattern')] ?? '').trim() : '';
    return parseWithSchema(
      blindPairSchema,
      {
        imageA: (cells[at('image_a')] ?? '').trim(),
        imageB: (cells[at('image_b')] ?? '').trim(),
        clipSimilarity: number('clip_similarity'),
        dinoSimilarity: number('dino_similarity'),
        ...(pattern === '' ? {} : { pattern }),
      },
      `${source} line ${line}`,
    );
  });
}

/** True when the first line is an answer in the original MMVP script's fields (no `correct`, has `answer_id` or `run_identity`). */
function isMmvpScriptAnswers(text: string): boolean {
  const first = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .find((line) => line.trim() !== '');
  if (first === undefined) return false;
  try {
    const json = JSON.parse(first) as Record<string, unknown>;
    return json !== null && typeof json === 'object' && !('correct' in json) && 'question_id' in json && 'response' in json && ('answer_id' in json || 'run_identity' in json);
  } catch {
    return false;
  }
}

/** Reads answers.jsonl; each line is validated and errors name the line. */
function parseAnswers(text: string, source: string): AnswerRecord[] {
  const records: AnswerRecord[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (cause) {
      throw new DatasetError(`${source} line ${index + 1} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
    records.push(parseWithSchema(answerRecordSchema, json, `${source} line ${index + 1}`));
  });
  return records;
}

/**
 * Reads and validates a results folder (see results-schema.ts for its files). Absent files are
 * skipped; a folder with none of them is an error that lists the expected names.
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
  // files present under a result name but written by something else (said if nothing else is found)
  const foreign: string[] = [];
  if (await present(resultFileNames.run)) bundle.run = await readJsonFile(path(resultFileNames.run), runInfoSchema);
  if (await present(resultFileNames.vlmScores)) {
    const file = path(resultFileNames.vlmScores);
    const json = await readJsonFile(file, z.unknown());
    // mmvp eval-vlm writes its own document under this name; the report reads it as one model's scores
    bundle.vlmScores = isEvalVlmDocument(json) ? vlmScoresFromEvalVlm(json, file) : await readJsonFile(file, vlmScoresSchema);
  }
  if (await present(resultFileNames.mllmScores)) bundle.mllmScores = await readJsonFile(path(resultFileNames.mllmScores), mllmScoresSchema);
  if (await present(resultFileNames.sweep)) bundle.sweep = await readJsonFile(path(resultFileNames.sweep), sweepSchema);
  if (await present(resultFileNames.seeds)) bundle.seeds = await readJsonFile(path(resultFileNames.seeds), seedsSchema);
  if (await present(resultFileNames.blindPairs)) {
    bundle.blindPairs = parseBlindPairs(await readText(path(resultFileNames.blindPairs)), path(resultFileNames.blindPairs));
  } else if (await present(workflowFileNames.minePairs)) {
    const text = await readText(path(workflowFileNames.minePairs));
    if (isMinePairs(text)) bundle.blindPairs = blindPairsFromMine(text, path(workflowFileNames.minePairs));
    else foreign.push(`${workflowFileNames.minePairs} (not mmvp mine's pairs.csv)`);
  }
  if (await present(workflowFileNames.pope)) bundle.pope = popeReportFrom(await readJsonFile(path(workflowFileNames.pope), z.unknown()), path(workflowFileNames.pope));
  if (await present(resultFileNames.answers)) {
    const text = await readText(path(resultFileNames.answers));
    // eval-mllm's answers.jsonl (the original MMVP script's fields, graded in graded.csv) shares the
    // name; it is not a results-folder answers file, so the report leaves it out instead of failing.
    if (!isMmvpScriptAnswers(text)) bundle.answers = parseAnswers(text, path(resultFileNames.answers));
    else foreign.push(`${resultFileNames.answers} (the answers of an eval-mllm run; grade it, or report the folder mmvp eval-mllm wrote its scores to)`);
  }
  const found = Object.keys(bundle).filter((key) => key !== 'directory');
  if (found.length === 0) {
    throw new DatasetError(
      `results folder ${directory} has none of the result files; expected one or more of ${[...Object.values(resultFileNames), ...Object.values(workflowFileNames)].join(', ')}` +
        (foreign.length > 0 ? `; present but not a form the report reads: ${foreign.join(', ')}` : ''),
    );
  }
  return bundle;
}
