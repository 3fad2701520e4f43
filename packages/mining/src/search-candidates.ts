import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { exactTopK } from './exact-search';
import { recallAtK, sampleRows, type TopK } from './top-k';
import { buildUsearchIndex, type UsearchOptions } from './usearch-search';

/** Both search kinds (`exact` brute force, `usearch` HNSW), for validation and error messages. */
export const searchIndexKinds = ['exact', 'usearch'] as const;
/** `exact`: blocked brute force (the reference). `usearch`: HNSW, approximate, for large collections. */
export type SearchIndexKind = (typeof searchIndexKinds)[number];

/** Candidate neighbours per image and how they were found. */
export interface CandidateSearch {
  readonly topK: TopK;
  readonly index: SearchIndexKind;
  /** Recall@k of usearch against exact search on `recallQueries` sampled rows (usearch only). */
  readonly recall?: number;
  readonly recallQueries?: number;
  readonly seconds: number;
}

/**
 * Each row's k nearest other rows by cosine ([N, D], rows unit length). With usearch, the recall
 * against exact search is measured on an evenly spread sample of `recallSample` rows (default 200),
 * so every approximate run says how approximate it was.
 */
export function searchCandidates(vectors: Float32Array, dimension: number, k: number, index: SearchIndexKind, options: { recallSample?: number; usearch?: UsearchOptions } = {}): CandidateSearch {
  if (!(searchIndexKinds as readonly string[]).includes(index)) throw new InvalidArgumentError(`unknown index '${index}'; valid choices: ${listChoices(searchIndexKinds)}`);
  const n = vectors.length / dimension;
  const started = performance.now();
  if (index === 'exact') return { topK: exactTopK(vectors, dimension, k), index, seconds: (performance.now() - started) / 1000 };
  const built = buildUsearchIndex(vectors, dimension, options.usearch);
  const topK = built.search(sampleRows(n), k);
  const seconds = (performance.now() - started) / 1000;
  const sample = sampleRows(n, options.recallSample ?? 200);
  const exact = exactTopK(vectors, dimension, k, { queryRows: sample });
  const approximate: TopK = {
    k,
    queries: sample.length,
    queryRows: sample,
    indices: Int32Array.from(Array.from(sample).flatMap((row) => Array.from(topK.indices.subarray(row * k, (row + 1) * k)))),
    scores: new Float32Array(sample.length * k),
  };
  return { topK, index, recall: recallAtK(approximate, exact), recallQueries: sample.length, seconds };
}
