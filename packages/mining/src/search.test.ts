import { describe, expect, it } from 'vitest';
import { exactTopK, naiveTopK } from './exact-search';
import { normalizeRows, recallAtK, sampleRows } from './top-k';
import { buildUsearchIndex, usearchExactTopK, usearchTopK } from './usearch-search';

function randomMatrix(n: number, d: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

/** Brute force by sorting every score: the independent answer the searches must match. */
function sortedNeighbours(vectors: Float32Array, d: number, query: number, k: number): number[] {
  const n = vectors.length / d;
  const scored: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    if (j === query) continue;
    let s = 0;
    for (let t = 0; t < d; t++) s += vectors[query * d + t]! * vectors[j * d + t]!;
    scored.push([s, j]);
  }
  scored.sort((a, b) => b[0] - a[0]);
  return scored.slice(0, k).map(([, j]) => j);
}

describe('candidate search', () => {
  const d = 24;
  const n = 301; // not a multiple of the block or the 4-query micro-kernel
  const vectors = normalizeRows(randomMatrix(n, d, 7), d);

  it('normalizeRows gives unit rows and keeps zero rows zero', () => {
    const rows = normalizeRows(new Float32Array([3, 4, 0, 0]), 2);
    expect(Array.from(rows)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0]);
  });

  it('exact blocked search matches a full sort, for every query, with small blocks', () => {
    const k = 5;
    const blocked = exactTopK(vectors, d, k, { blockRows: 17 });
    const naive = naiveTopK(vectors, d, k);
    for (let q = 0; q < n; q++) {
      const expected = sortedNeighbours(vectors, d, q, k);
      expect(Array.from(blocked.indices.subarray(q * k, (q + 1) * k))).toEqual(expected);
      expect(Array.from(naive.indices.subarray(q * k, (q + 1) * k))).toEqual(expected);
    }
    expect(blocked.scores[0]).toBeCloseTo(naive.scores[0]!, 5);
  });

  it('handles fewer rows than k (-1 / NaN padding) and query subsets', () => {
    const small = normalizeRows(randomMatrix(3, d, 1), d);
    const top = exactTopK(small, d, 4);
    expect(Array.from(top.indices.subarray(0, 4)).slice(2)).toEqual([-1, -1]);
    expect(Number.isNaN(top.scores[3]!)).toBe(true);
    const subset = exactTopK(vectors, d, 3, { queryRows: Int32Array.of(5, 200) });
    expect(Array.from(subset.indices.subarray(3, 6))).toEqual(sortedNeighbours(vectors, d, 200, 3));
  });

  it('usearch loads its prebuilt binary and agrees with exact search (recall printed)', () => {
    const k = 10;
    const queries = sampleRows(n, 50);
    const exact = exactTopK(vectors, d, k, { queryRows: queries });
    const approximate = usearchTopK(vectors, d, k, { queryRows: queries, expansionSearch: 256 });
    const recall = recallAtK(approximate, exact);
    console.log(`usearch recall@${k} on ${queries.length} queries of ${n}x${d}: ${recall.toFixed(4)}`);
    expect(recall).toBeGreaterThan(0.95);
    // the scores it reports are exact cosines of the rows it found
    const index = buildUsearchIndex(vectors, d);
    const one = index.search(Int32Array.of(0), 1);
    const j = one.indices[0]!;
    let dot = 0;
    for (let t = 0; t < d; t++) dot += vectors[t]! * vectors[j * d + t]!;
    expect(one.scores[0]).toBeCloseTo(dot, 6);
    expect(j).not.toBe(0);
  });

  it("usearch's SIMD brute force matches the full sort", () => {
    const k = 4;
    const top = usearchExactTopK(vectors, d, k, { queryRows: Int32Array.of(0, 150, 300) });
    [0, 150, 300].forEach((q, i) => expect(Array.from(top.indices.subarray(i * k, (i + 1) * k))).toEqual(sortedNeighbours(vectors, d, q, k)));
  });

  it('recall counts shared neighbours', () => {
    const exact = { k: 2, queries: 1, queryRows: Int32Array.of(0), indices: Int32Array.of(1, 2), scores: new Float32Array(2) };
    const approximate = { ...exact, indices: Int32Array.of(2, 3) };
    expect(recallAtK(approximate, exact)).toBe(0.5);
  });
});
