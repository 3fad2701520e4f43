import { InvalidArgumentError } from '@mmvp/core';
import { sampleRows, TopKCollector, type TopK } from './top-k';

/** Options of a nearest-neighbour search: which rows to query and whether a row may find itself. */
export interface SearchOptions {
  /** Rows to search for (default: every row). */
  readonly queryRows?: Int32Array;
  /** Leave a query's own row out of its neighbours (default true: the collection searches itself). */
  readonly excludeSelf?: boolean;
}

/**
 * Exact cosine top-k of rows of `vectors` ([N, D], rows already unit length) against all rows: the
 * reference search. Blocked so a block of base rows stays in cache while four queries at a time read
 * it (each base value loaded once per four dot products).
 */
export function exactTopK(vectors: Float32Array, dimension: number, k: number, options: SearchOptions & { blockRows?: number } = {}): TopK {
  const n = checkMatrix(vectors, dimension, k);
  const queryRows = options.queryRows ?? sampleRows(n);
  const excludeSelf = options.excludeSelf ?? true;
  const blockRows = options.blockRows ?? Math.max(16, Math.floor(65536 / dimension)); // ~256 KiB of base rows
  const collector = new TopKCollector(queryRows.length, k);
  const q = queryRows.length;
  const scores = new Float32Array(4 * blockRows); // [4, blockRows]
  for (let start = 0; start < n; start += blockRows) {
    const end = Math.min(n, start + blockRows);
    for (let first = 0; first < q; first += 4) {
      const count = Math.min(4, q - first);
      const o0 = queryRows[first]! * dimension;
      const o1 = queryRows[first + Math.min(1, count - 1)]! * dimension;
      const o2 = queryRows[first + Math.min(2, count - 1)]! * dimension;
      const o3 = queryRows[first + Math.min(3, count - 1)]! * dimension;
      for (let j = start; j < end; j++) {
        const ob = j * dimension;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let d = 0; d < dimension; d++) {
          const b = vectors[ob + d]!;
          s0 += vectors[o0 + d]! * b;
          s1 += vectors[o1 + d]! * b;
          s2 += vectors[o2 + d]! * b;
          s3 += vectors[o3 + d]! * b;
        }
        const at = j - start;
        scores[at] = s0;
        scores[blockRows + at] = s1;
        scores[2 * blockRows + at] = s2;
        scores[3 * blockRows + at] = s3;
      }
      for (let r = 0; r < count; r++) {
        const query = first + r;
        const self = queryRows[query]!;
        let bar = collector.threshold(query);
        for (let j = start; j < end; j++) {
          const score = scores[r * blockRows + (j - start)]!;
          if (score > bar && !(excludeSelf && j === self)) {
            collector.offer(query, j, score);
            bar = collector.threshold(query);
          }
        }
      }
    }
  }
  return collector.result(queryRows);
}

/** The same search as one plain loop per query and per row: no blocking, no unrolling (benchmark baseline). */
export function naiveTopK(vectors: Float32Array, dimension: number, k: number, options: SearchOptions = {}): TopK {
  const n = checkMatrix(vectors, dimension, k);
  const queryRows = options.queryRows ?? sampleRows(n);
  const excludeSelf = options.excludeSelf ?? true;
  const collector = new TopKCollector(queryRows.length, k);
  for (let query = 0; query < queryRows.length; query++) {
    const self = queryRows[query]!;
    for (let j = 0; j < n; j++) {
      if (excludeSelf && j === self) continue;
      let sum = 0;
      for (let d = 0; d < dimension; d++) sum += vectors[self * dimension + d]! * vectors[j * dimension + d]!;
      collector.offer(query, j, sum);
    }
  }
  return collector.result(queryRows);
}

export function checkMatrix(vectors: Float32Array, dimension: number, k: number): number {
  if (!Number.isInteger(dimension) || dimension <= 0 || vectors.length % dimension !== 0) {
    throw new InvalidArgumentError(`vectors of length ${vectors.length} are not rows of width ${dimension}`);
  }
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`k must be a positive integer, got ${k}`);
  return vectors.length / dimension;
}
