import { InvalidArgumentError } from '@mmvp/core';
import { rowDot, type TopK } from './top-k';

/** A CLIP-blind pair: rows a < b, with both cosines computed exactly and the gap CLIP - DINOv2. */
export interface ClipBlindPair {
  readonly a: number;
  readonly b: number;
  readonly clipCosine: number;
  readonly dinoCosine: number;
  readonly gap: number;
}

/** CLIP-blind thresholds: CLIP cosine above `clipMin`, DINOv2 cosine below `dinoMax`. */
export interface PairFilterOptions {
  /** CLIP embeddings [N, Dc], rows unit length. */
  readonly clip: Float32Array;
  readonly clipDimension: number;
  /** DINOv2 embeddings [N, Dd], rows unit length, same row order. */
  readonly dino: Float32Array;
  readonly dinoDimension: number;
  /** Each row's CLIP neighbours: the candidate pairs. */
  readonly candidates: TopK;
  /** A pair needs CLIP cosine strictly above this (paper: 0.95). */
  readonly clipMin: number;
  /** ... and DINOv2 cosine strictly below this (paper: 0.6). */
  readonly dinoMax: number;
}

/**
 * The paper's criterion (cos_CLIP > 0.95 and cos_DINOv2 < 0.6 for the same pair) applied to the CLIP
 * neighbour candidates: both cosines are recomputed exactly for each candidate, each unordered pair is
 * reported once, ranked by the gap (largest first; ties by row numbers, so the order is stable).
 */
export function findClipBlindPairs(options: PairFilterOptions): ClipBlindPair[] {
  const { clip, clipDimension, dino, dinoDimension, candidates, clipMin, dinoMax } = options;
  const n = clip.length / clipDimension;
  if (dino.length / dinoDimension !== n) throw new InvalidArgumentError(`CLIP has ${n} rows but DINOv2 has ${dino.length / dinoDimension}`);
  const seen = new Set<number>();
  const pairs: ClipBlindPair[] = [];
  for (let q = 0; q < candidates.queries; q++) {
    const row = candidates.queryRows[q]!;
    for (let r = 0; r < candidates.k; r++) {
      const other = candidates.indices[q * candidates.k + r]!;
      if (other < 0 || other === row) continue;
      const a = Math.min(row, other);
      const b = Math.max(row, other);
      const key = a * n + b;
      if (seen.has(key)) continue;
      seen.add(key);
      const clipCosine = rowDot(clip, a, clip, b, clipDimension);
      if (!(clipCosine > clipMin)) continue;
      const dinoCosine = rowDot(dino, a, dino, b, dinoDimension);
      if (!(dinoCosine < dinoMax)) continue;
      pairs.push({ a, b, clipCosine, dinoCosine, gap: clipCosine - dinoCosine });
    }
  }
  pairs.sort((x, y) => y.gap - x.gap || x.a - y.a || x.b - y.b);
  return pairs;
}

/**
 * Collapses images with identical content (same sha256) to their first occurrence, so the same
 * picture stored twice is never reported as a pair of itself. Returns the rows kept and, for every
 * dropped row, the row it duplicates.
 */
export function collapseDuplicates(hashes: readonly string[]): { kept: number[]; duplicates: { row: number; duplicateOf: number }[] } {
  const first = new Map<string, number>();
  const kept: number[] = [];
  const duplicates: { row: number; duplicateOf: number }[] = [];
  hashes.forEach((hash, row) => {
    const original = first.get(hash);
    if (original === undefined) {
      first.set(hash, row);
      kept.push(row);
    } else duplicates.push({ row, duplicateOf: original });
  });
  return { kept, duplicates };
}

/** Rows `rows` of an [N, D] matrix, in that order. */
export function selectRows(data: Float32Array, dimension: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dimension);
  rows.forEach((row, i) => out.set(data.subarray(row * dimension, (row + 1) * dimension), i * dimension));
  return out;
}
