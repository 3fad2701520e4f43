import { InvalidArgumentError } from '@mmvp/core';

/**
 * Nearest neighbours of Q query rows: `indices[q * k + r]` is the r-th best row for query q (-1 when
 * there are fewer than k other rows), `scores` the cosine similarity, best first.
 */
export interface TopK {
  readonly k: number;
  readonly queries: number;
  /** Which rows were the queries (row index per query). */
  readonly queryRows: Int32Array;
  readonly indices: Int32Array; // [Q, k]
  readonly scores: Float32Array; // [Q, k]
}

/** Copy of `data` ([N, D] row-major) with each row scaled to unit length; all-zero rows stay zero. */
export function normalizeRows(data: Float32Array, dimension: number): Float32Array {
  if (dimension <= 0 || data.length % dimension !== 0) throw new InvalidArgumentError(`cannot split ${data.length} values into rows of width ${dimension}`);
  const out = new Float32Array(data.length);
  for (let offset = 0; offset < data.length; offset += dimension) {
    let sum = 0;
    for (let d = 0; d < dimension; d++) sum += data[offset + d]! * data[offset + d]!;
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let d = 0; d < dimension; d++) out[offset + d] = data[offset + d]! * scale;
  }
  return out;
}

/** Cosine similarity of rows a and b of two row-normalized matrices (a plain dot product). */
export function rowDot(x: Float32Array, a: number, y: Float32Array, b: number, dimension: number): number {
  let sum = 0;
  const oa = a * dimension;
  const ob = b * dimension;
  for (let d = 0; d < dimension; d++) sum += x[oa + d]! * y[ob + d]!;
  return sum;
}

/** All rows 0..n-1, or `count` rows spread evenly over them (deterministic, for recall samples). */
export function sampleRows(n: number, count?: number): Int32Array {
  if (count === undefined || count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor((i * n) / count);
  return out;
}

/** A fixed-size best-k list per query, kept sorted best first (k is small: insertion is cheapest). */
export class TopKCollector {
  readonly indices: Int32Array;
  readonly scores: Float32Array;

  constructor(
    readonly queries: number,
    readonly k: number,
  ) {
    this.indices = new Int32Array(queries * k).fill(-1);
    this.scores = new Float32Array(queries * k).fill(-Infinity);
  }

  /** Lowest score kept for query q (the bar a candidate must beat). */
  threshold(q: number): number {
    return this.scores[q * this.k + this.k - 1]!;
  }

  /** Offers candidate `index` with `score` for query row `q`; kept when among its best k. */
  offer(q: number, index: number, score: number): void {
    const base = q * this.k;
    let position = this.k - 1;
    if (!(score > this.scores[base + position]!)) return;
    while (position > 0 && score > this.scores[base + position - 1]!) {
      this.scores[base + position] = this.scores[base + position - 1]!;
      this.indices[base + position] = this.indices[base + position - 1]!;
      position--;
    }
    this.scores[base + position] = score;
    this.indices[base + position] = index;
  }

  /** The best k per query, best first. */
  result(queryRows: Int32Array): TopK {
    for (let i = 0; i < this.scores.length; i++) if (this.indices[i] === -1) this.scores[i] = Number.NaN;
    return { k: this.k, queries: this.queries, queryRows, indices: this.indices, scores: this.scores };
  }
}

/**
 * Recall@k of an approximate search against the exact one on the same queries: the share of the exact
 * neighbours that the approximate search also returned.
 */
export function recallAtK(approximate: TopK, exact: TopK): number {
  if (approximate.queries !== exact.queries || approximate.k !== exact.k) {
    throw new InvalidArgumentError(`recall needs the same queries and k (got ${approximate.queries}x${approximate.k} and ${exact.queries}x${exact.k})`);
  }
  let found = 0;
  let total = 0;
  const k = exact.k;
  for (let q = 0; q < exact.queries; q++) {
    if (approximate.queryRows[q] !== exact.queryRows[q]) throw new InvalidArgumentError(`recall: query ${q} is row ${approximate.queryRows[q]} in one search and ${exact.queryRows[q]} in the other`);
    const got = new Set(approximate.indices.subarray(q * k, (q + 1) * k));
    for (let r = 0; r < k; r++) {
      const index = exact.indices[q * k + r]!;
      if (index < 0) continue;
      total++;
      if (got.has(index)) found++;
    }
  }
  return total === 0 ? 1 : found / total;
}
