import { basename } from 'node:path';
import { z } from 'zod';
import { DatasetError, parseWithSchema } from '@mmvp/core';
import { parseCsv } from './csv';
import type { BlindPair, PopeReport, VlmScores } from './results-schema';

/**
 * The files each workflow writes under its own name (`mmvp eval-vlm`'s vlm-scores.json, `mmvp pope`'s
 * pope-scores.json, `mmvp mine`'s pairs.csv), read into the report's shapes, so every workflow's
 * results folder renders with `mmvp report` without a second copy of its results.
 */

const interval = z.tuple([z.number(), z.number()]);

/** `mmvp eval-vlm`'s vlm-scores.json (benchmark 'MMVP-VLM'): one CLIP model, per-pattern scores with intervals. */
const evalVlmDocumentSchema = z
  .object({
    benchmark: z.literal('MMVP-VLM'),
    perPattern: z.array(z.object({ pattern: z.string(), pairs: z.number().int().nonnegative(), score: z.number(), ci95: interval.optional() }).passthrough()).min(1),
    average: z.number(),
    averageCi95: interval.optional(),
    provenance: z
      .object({ model: z.object({ folder: z.string().optional() }).passthrough().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** True when a vlm-scores.json is `mmvp eval-vlm`'s own document rather than the results schema's. */
export function isEvalVlmDocument(json: unknown): boolean {
  return json !== null && typeof json === 'object' && (json as { benchmark?: unknown }).benchmark === 'MMVP-VLM';
}

export function vlmScoresFromEvalVlm(json: unknown, source: string): VlmScores {
  const document = parseWithSchema(evalVlmDocumentSchema, json, source);
  const folder = document.provenance?.model?.folder;
  const rows = document.perPattern.filter((row) => row.pairs > 0);
  return {
    patterns: rows.map((row) => row.pattern),
    models: [
      {
        name: folder === undefined ? 'CLIP model' : basename(folder),
        kind: 'text-image',
        description: 'mmvp eval-vlm (the original evaluate_vlm.py rule)',
        pairsPerPattern: Math.max(1, ...rows.map((row) => row.pairs)),
        perPattern: Object.fromEntries(rows.map((row) => [row.pattern, row.score])),
        average: document.average,
        ...(document.averageCi95 === undefined ? {} : { averageCi95: document.averageCi95 }),
        ...(rows.every((row) => row.ci95 !== undefined) ? { perPatternCi95: Object.fromEntries(rows.map((row) => [row.pattern, row.ci95!])) } : {}),
      },
    ],
  };
}

const fraction = z.number().min(0).max(1);
const popeScoresSchema = z
  .object({
    benchmark: z.literal('POPE'),
    splits: z.array(z.object({ split: z.string(), total: z.number().int().nonnegative(), accuracy: fraction, precision: fraction, recall: fraction, f1: fraction, yesRatio: fraction }).passthrough()).min(1),
  })
  .passthrough();

export function popeReportFrom(json: unknown, source: string): PopeReport {
  const document = parseWithSchema(popeScoresSchema, json, source);
  return { splits: document.splits.map(({ split, total, accuracy, precision, recall, f1, yesRatio }) => ({ split, total, accuracy, precision, recall, f1, yesRatio })) };
}

/** True when a pairs.csv is `mmvp mine`'s (eval-vlm writes a per-pair table of the same name). */
export function isMinePairs(text: string): boolean {
  const header = (parseCsv(text)[0] ?? []).map((cell) => cell.trim());
  return header.includes('image_a') && header.includes('clip_cosine');
}

/** `mmvp mine`'s pairs.csv (image_a, image_b, clip_cosine, dino_cosine, gap) as the report's blind pairs. */
export function blindPairsFromMine(text: string, source: string): BlindPair[] {
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((cell) => cell.trim());
  const at = (name: string) => header.indexOf(name);
  for (const column of ['image_a', 'image_b', 'clip_cosine', 'dino_cosine']) {
    if (at(column) < 0) throw new DatasetError(`${source}: missing column ${column}; mmvp mine writes image_a,image_b,clip_cosine,dino_cosine,gap`);
  }
  return rows.slice(1).map((cells, index) => {
    const number = (column: string) => {
      const value = Number((cells[at(column)] ?? '').trim());
      if (!Number.isFinite(value)) throw new DatasetError(`${source} line ${index + 2}: ${column} '${cells[at(column)]}' is not a number`);
      return value;
    };
    return { imageA: (cells[at('image_a')] ?? '').trim(), imageB: (cells[at('image_b')] ?? '').trim(), clipSimilarity: number('clip_cosine'), dinoSimilarity: number('dino_cosine') };
  });
}
