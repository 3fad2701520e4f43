import { basename } from 'node:path';
import { DatasetError, parseWithSchema } from '@mmvp/core';
import type { CsvRecord } from './parse-csv';
import { minePairColumns, type BlindPair, type MllmScores, type MmvpScoresFile, type PopeReport, type RunInfo, type VlmScores, vlmEvaluationSchema, popeScoresSchema, pipelineStrategyOf } from './results-schema';

/**
 * The files each workflow writes under its own name (`mmvp eval-vlm`'s vlm-eval-scores.json, `mmvp
 * pope`'s pope-scores.json, `mmvp mine`'s pairs.csv, `mmvp eval-mllm`'s scores.json), read into the
 * report's shapes, so every workflow's run folder renders without a second copy of its results.
 */

/** `mmvp eval-vlm`'s document as one model's vlm scores. */
export function vlmScoresFromEvaluation(json: unknown, source: string): VlmScores {
  const document = parseWithSchema(vlmEvaluationSchema, json, source);
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

/** `mmvp pope`'s pope-scores.json as the report's POPE table. */
export function popeReportFrom(json: unknown, source: string): PopeReport {
  const document = parseWithSchema(popeScoresSchema, json, source);
  return { splits: document.splits.map(({ split, total, accuracy, precision, recall, f1, yesRatio }) => ({ split, total, accuracy, precision, recall, f1, yesRatio })) };
}

/** `mmvp mine`'s pairs.csv (image_a, image_b, clip_cosine, dino_cosine, gap) as the report's blind pairs. */
export function blindPairsFromMine(records: readonly CsvRecord[], source: string): BlindPair[] {
  const header = (records[0]?.fields ?? []).map((cell) => cell.trim());
  const at = (name: string) => header.indexOf(name);
  for (const column of minePairColumns.slice(0, 4)) {
    if (at(column) < 0) throw new DatasetError(`${source}: missing column ${column}; mmvp mine writes ${minePairColumns.join(',')}`);
  }
  return records.slice(1).map(({ fields, line }) => {
    const number = (column: string) => {
      const raw = (fields[at(column)] ?? '').trim();
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new DatasetError(`${source} line ${line}: ${column} '${raw}' is not a number`);
      return value;
    };
    return { imageA: (fields[at('image_a')] ?? '').trim(), imageB: (fields[at('image_b')] ?? '').trim(), clipSimilarity: number('clip_cosine'), dinoSimilarity: number('dino_cosine') };
  });
}

/**
 * An eval-mllm scores.json as one model's row of the MLLM table (the model named by run.json, the
 * strategy by the pipeline in its provenance); undefined for a `mmvp grade` document, which names no pipeline.
 */
export function mllmScoresFromScores(document: MmvpScoresFile, run: RunInfo | undefined): MllmScores | undefined {
  const strategy = pipelineStrategyOf(document);
  if (strategy === undefined) return undefined;
  const rows = document.perPattern;
  const patterns = rows?.map((row) => row.pattern) ?? ['all'];
  return {
    patterns,
    models: [
      {
        name: run?.models[0]?.name ?? 'model',
        strategy,
        ratio: null,
        pairs: document.pairs,
        questions: document.questions,
        pairAccuracy: document.pairAccuracy,
        questionAccuracy: document.questionAccuracy,
        perPattern: Object.fromEntries(rows?.map((row) => [row.pattern, row.pairAccuracy]) ?? [['all', document.pairAccuracy]]),
        pairAccuracyCi95: document.pairAccuracyCi95,
        questionAccuracyCi95: document.questionAccuracyCi95,
        perPatternCi95: Object.fromEntries(rows?.map((row) => [row.pattern, row.pairAccuracyCi95]) ?? [['all', document.pairAccuracyCi95]]),
      },
    ],
    comparisons: [],
    correlations: [],
  };
}
