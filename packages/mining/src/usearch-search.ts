import { BatchMatches, exactSearch, Index, MetricKind, ScalarKind } from 'usearch';
import { checkMatrix, type SearchOptions } from './exact-search';
import { rowDot, sampleRows, TopKCollector, type TopK } from './top-k';

/** Options of the usearch (HNSW) index, on top of the search options. */
export interface UsearchOptions extends SearchOptions {
  /** HNSW graph degree (usearch default 16). */
  readonly connectivity?: number;
  /** Candidate list size while building (usearch default 128). */
  readonly expansionAdd?: number;
  /** Candidate list size while searching (usearch default 64). */
  readonly expansionSearch?: number;
  /** Threads for add and search; 0 = usearch decides. */
  readonly threads?: number;
}

/** An approximate (HNSW) index over unit-length rows, built once and searched many times. */
export interface ApproximateIndex {
  /** The approximate k nearest rows of each query row. */
  search(queryRows: Int32Array, k: number, excludeSelf?: boolean): TopK;
}

/**
 * Builds a usearch HNSW index (cosine, float32) over `vectors` ([N, D], rows unit length). Keys are
 * row numbers. Scores of the returned neighbours are recomputed exactly from the vectors, so only the
 * choice of neighbours is approximate.
 */
export function buildUsearchIndex(vectors: Float32Array, dimension: number, options: UsearchOptions = {}): ApproximateIndex {
  const n = checkMatrix(vectors, dimension, 1);
  const index = new Index({
    dimensions: dimension,
    metric: MetricKind.Cos,
    quantization: ScalarKind.F32,
    connectivity: options.connectivity ?? 16,
    expansion_add: options.expansionAdd ?? 128,
    expansion_search: options.expansionSearch ?? 64,
    multi: false,
  });
  const threads = options.threads ?? 0;
  if (n > 0)
    index.add(
      BigUint64Array.from({ length: n }, (_, i) => BigInt(i)),
      vectors,
      threads,
    );
  return {
    search(queryRows: Int32Array, k: number, excludeSelf = true): TopK {
      checkMatrix(vectors, dimension, k);
      const collector = new TopKCollector(queryRows.length, k);
      if (queryRows.length === 0 || n === 0) return collector.result(queryRows);
      const wanted = Math.min(n, k + (excludeSelf ? 1 : 0));
      const queries = new Float32Array(queryRows.length * dimension);
      queryRows.forEach((row, q) => queries.set(vectors.subarray(row * dimension, (row + 1) * dimension), q * dimension));
      const matches = index.search(queries, wanted, threads);
      const keys: BigUint64Array = matches.keys;
      const counts: BigUint64Array = matches instanceof BatchMatches ? matches.counts : BigUint64Array.of(BigInt(matches.keys.length));
      for (let q = 0; q < queryRows.length; q++) {
        const self = queryRows[q]!;
        const found = Number(counts[q]!);
        for (let r = 0; r < found; r++) {
          const j = Number(keys[q * wanted + r]!);
          if (excludeSelf && j === self) continue;
          collector.offer(q, j, rowDot(vectors, self, vectors, j, dimension));
        }
      }
      return collector.result(queryRows);
    },
  };
}

/** One-shot approximate top-k (builds the index, searches, drops it). */
export function usearchTopK(vectors: Float32Array, dimension: number, k: number, options: UsearchOptions = {}): TopK {
  const index = buildUsearchIndex(vectors, dimension, options);
  return index.search(options.queryRows ?? sampleRows(vectors.length / dimension), k, options.excludeSelf ?? true);
}

/**
 * Exact top-k through usearch's SIMD brute force (`exactSearch`), no index: a second exact
 * implementation, native, to compare the JavaScript reference against (benchmarks, large sweeps).
 */
export function usearchExactTopK(vectors: Float32Array, dimension: number, k: number, options: SearchOptions = {}): TopK {
  const n = checkMatrix(vectors, dimension, k);
  const queryRows = options.queryRows ?? sampleRows(n);
  const excludeSelf = options.excludeSelf ?? true;
  const collector = new TopKCollector(queryRows.length, k);
  if (queryRows.length === 0 || n === 0) return collector.result(queryRows);
  const wanted = Math.min(n, k + (excludeSelf ? 1 : 0));
  const queries = new Float32Array(queryRows.length * dimension);
  queryRows.forEach((row, q) => queries.set(vectors.subarray(row * dimension, (row + 1) * dimension), q * dimension));
  const matches = exactSearch(vectors, queries, dimension, wanted, MetricKind.Cos);
  for (let q = 0; q < queryRows.length; q++) {
    const self = queryRows[q]!;
    for (let r = 0; r < wanted; r++) {
      const j = Number(matches.keys[q * wanted + r]!);
      if (excludeSelf && j === self) continue;
      collector.offer(q, j, rowDot(vectors, self, vectors, j, dimension));
    }
  }
  return collector.result(queryRows);
}
