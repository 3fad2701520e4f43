import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWithSchema } from '@mmvp/core';
import type { z } from 'zod';
import { formatCsv } from './format-csv';
import { writeFileAtomic } from './write-file-atomic';
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
  type MllmScores,
  type RunInfoInput,
  type Sweep,
  type VlmScores,
} from './results-schema';

async function writeJson(directory: string, name: string, value: unknown): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, name);
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
  return path;
}

/**
 * Writers for the results folder. Each validates with the same schema the report reads, so a
 * producer (demo, sweep) cannot write a file the report would reject. Each returns the file path.
 */
export const writeRunInfo = async (directory: string, value: RunInfoInput) => writeJson(directory, resultFileNames.run, parseWithSchema(runInfoSchema, value, resultFileNames.run));
/** Writes vlm-scores.json (validated) into a results folder. */
export const writeVlmScores = async (directory: string, value: VlmScores) => writeJson(directory, resultFileNames.vlmScores, parseWithSchema(vlmScoresSchema, value, resultFileNames.vlmScores));
/** Fields with defaults (`comparisons`, `correlations`) may be left out. */
export const writeMllmScores = async (directory: string, value: MllmScores | z.input<typeof mllmScoresSchema>) =>
  writeJson(directory, resultFileNames.mllmScores, parseWithSchema(mllmScoresSchema, value, resultFileNames.mllmScores));
/** Writes sweep.json and sweep.csv (validated) into a results folder. */
export const writeSweep = async (directory: string, value: Sweep | z.input<typeof sweepSchema>) => writeJson(directory, resultFileNames.sweep, parseWithSchema(sweepSchema, value, resultFileNames.sweep));

/** Writes seeds.json (validated): the spread over seeds and the seed-averaged comparisons. */
export const writeSeeds = async (directory: string, value: z.input<typeof seedsSchema>) => writeJson(directory, resultFileNames.seeds, parseWithSchema(seedsSchema, value, resultFileNames.seeds));

/** Writes blind-pairs.csv (image paths should be relative to the results folder). */
export async function writeBlindPairs(directory: string, pairs: readonly BlindPair[]): Promise<string> {
  const rows = pairs.map((pair, index) => {
    const valid = parseWithSchema(blindPairSchema, pair, `${resultFileNames.blindPairs} row ${index + 1}`);
    return [valid.imageA, valid.imageB, valid.clipSimilarity, valid.dinoSimilarity, valid.pattern ?? ''];
  });
  await mkdir(directory, { recursive: true });
  const path = join(directory, resultFileNames.blindPairs);
  await writeFileAtomic(path, formatCsv([[...blindPairColumns], ...rows]));
  return path;
}

/** Appends answer records to answers.jsonl (append-only, so a long run keeps what it finished). */
export async function appendAnswers(directory: string, records: readonly AnswerRecord[]): Promise<string> {
  const lines = records.map((record, index) => JSON.stringify(parseWithSchema(answerRecordSchema, record, `${resultFileNames.answers} record ${index + 1}`)));
  await mkdir(directory, { recursive: true });
  const path = join(directory, resultFileNames.answers);
  if (lines.length > 0) await appendFile(path, lines.join('\n') + '\n');
  return path;
}
