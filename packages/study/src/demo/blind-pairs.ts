import { relative } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { exactTopK, findClipBlindPairs } from '@mmvp/mining';
import type { EvalSet } from './synth-eval-set';
import type { BlindPair } from '@mmvp/results';

/**
 * CLIP-blind pairs over the whole eval pool (every image against every other) with @mmvp/mining's
 * filter: CLIP cosine above clipMin, SSL cosine below dinoMax. `clip`/`ssl` are the probe's unit
 * embeddings of the MMVP-VLM copies of the images, indexed by image id. Paths relative to `out`.
 */
export function mineEvalPool(
  evalSet: EvalSet,
  embeddings: { clip: readonly Float32Array[]; ssl: readonly Float32Array[] },
  thresholds: { clipMin: number; dinoMax: number },
  out: string,
): { pairs: BlindPair[]; pool: number } {
  const { mmvp, vlm, rowInfo } = evalSet;
  const pool = mmvp.questions.map((question) => question.imagePath);
  const probeIds = vlm.pairs.flatMap((pair) => pair.statements.map((statement) => statement.id));
  const byId = new Map(probeIds.map((id, k) => [id, k]));
  const at = (rows: readonly Float32Array[], row: number) => {
    const k = byId.get(row);
    if (k === undefined) throw new InvalidArgumentError(`image ${row} of the MMVP folder has no MMVP-VLM copy in ${evalSet.folder}`);
    return rows[k]!;
  };
  const matrix = (rows: Float32Array[]) => {
    const width = rows[0]?.length ?? 0;
    const flat = new Float32Array(rows.length * width); // [N, E], rows unit length
    rows.forEach((row, i) => flat.set(row, i * width));
    return { flat, width };
  };
  const clip = matrix(mmvp.questions.map((question) => at(embeddings.clip, question.id)));
  const ssl = matrix(mmvp.questions.map((question) => at(embeddings.ssl, question.id)));
  // the pool is small: exact top-(n-1) makes every pool pair a candidate
  const mined = findClipBlindPairs({
    clip: clip.flat,
    clipDimension: clip.width,
    dino: ssl.flat,
    dinoDimension: ssl.width,
    candidates: exactTopK(clip.flat, clip.width, Math.max(1, pool.length - 1)),
    clipMin: thresholds.clipMin,
    dinoMax: thresholds.dinoMax,
  });
  const pairs = mined.map(({ a, b, clipCosine, dinoCosine }): BlindPair => {
    const infoA = rowInfo.get(mmvp.questions[a]!.id);
    const infoB = rowInfo.get(mmvp.questions[b]!.id);
    return {
      imageA: relative(out, pool[a] as string),
      imageB: relative(out, pool[b] as string),
      clipSimilarity: Math.round(clipCosine * 1e4) / 1e4,
      dinoSimilarity: Math.round(dinoCosine * 1e4) / 1e4,
      ...(infoA && infoB && infoA.pair === infoB.pair ? { pattern: infoA.pattern } : {}),
    };
  });
  return { pairs, pool: pool.length };
}
