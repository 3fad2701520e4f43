import type { ImageSource, VisionEncoderV1 } from '@mmvp/core';
import type { MmvpVlmDataset } from '@mmvp/datasets';
import { PATTERNS, encodePng, evalPair } from '@mmvp/synth';
import { averageOf, patternScoresWithIntervals, type PairOutcome, type PatternScoresWithIntervals } from './pattern-intervals';
import { dot, pooledEmbeddings } from './pooled-embeddings';

/**
 * The image-only probe's second view of each eval scene: rendered at 96 px and cropped to 80 px (a
 * shifted, zoomed view that keeps the changed region), which the processor resizes to 64 px.
 */
export const PROBE_RENDER_SIZE = 96;
/** Side of the random crop the image-only probe takes from each rendering, in pixels. */
export const PROBE_CROP = 80;
const PROBE_SHIFT = 8;

/** The probe's images: the eval set's originals (MMVP-VLM order) and one second view of each. */
export interface ProbeImages {
  readonly originals: readonly ImageSource[];
  readonly views: readonly ImageSource[];
  /** Pattern of each pair (pairs in benchmark order, two images each). */
  readonly patterns: readonly string[];
}

/** Renders each eval pair again at PROBE_RENDER_SIZE and crops a shifted PROBE_CROP window holding the changed region. */
export function probeImages(vlm: MmvpVlmDataset, seed: number, pairsPerPattern: number): ProbeImages {
  const views: ImageSource[] = [];
  const patterns: string[] = [];
  for (const pattern of PATTERNS) {
    for (let j = 0; j < pairsPerPattern; j++) {
      const pair = evalPair(seed, pattern, j, PROBE_RENDER_SIZE);
      patterns.push(pattern);
      const offset = (low: number, high: number) => {
        // keep [low, high) inside the crop; prefer the fixed shift
        const min = Math.max(0, high - PROBE_CROP);
        const max = Math.min(PROBE_RENDER_SIZE - PROBE_CROP, low);
        return min > max ? (PROBE_RENDER_SIZE - PROBE_CROP) / 2 : Math.min(Math.max(PROBE_SHIFT, min), max);
      };
      const [x0, y0, x1, y1] = pair.region as unknown as [number, number, number, number];
      const ox = offset(x0, x1);
      const oy = offset(y0, y1);
      for (const side of [0, 1] as const) {
        const source = pair.images[side].data; // [S, S, 3]
        const crop = new Uint8Array(PROBE_CROP * PROBE_CROP * 3); // [C, C, 3]
        for (let y = 0; y < PROBE_CROP; y++) {
          const from = ((y + oy) * PROBE_RENDER_SIZE + ox) * 3;
          crop.set(source.subarray(from, from + PROBE_CROP * 3), y * PROBE_CROP * 3);
        }
        views.push(new Uint8Array(encodePng(crop, PROBE_CROP, PROBE_CROP)));
      }
    }
  }
  const originals = vlm.pairs.flatMap((pair) => pair.statements.map((statement) => statement.imagePath));
  return { originals, views, patterns };
}

/** The image-only probe's pair accuracy per pattern and on average, with intervals. */
export interface ProbeResult extends PatternScoresWithIntervals {
  readonly average: number;
  readonly pairs: readonly PairOutcome[];
  /** Unit pooled embeddings of the originals (reused for CLIP-blind mining). */
  readonly originals: readonly Float32Array[];
}

/**
 * Image-to-image test of one encoder: each view must be closer (cosine of pooled embeddings) to its
 * own image than to the pair's other image, for both images of the pair.
 */
export async function runImageOnlyProbe(encoder: VisionEncoderV1, images: ProbeImages, signal?: AbortSignal): Promise<ProbeResult> {
  const originals = await pooledEmbeddings(encoder, images.originals, signal);
  const views = await pooledEmbeddings(encoder, images.views, signal);
  const pairs = images.patterns.map((pattern, p) => {
    const [o1, o2, v1, v2] = [originals[2 * p]!, originals[2 * p + 1]!, views[2 * p]!, views[2 * p + 1]!];
    return { pattern, correct: dot(v1, o1) > dot(v1, o2) && dot(v2, o2) > dot(v2, o1) };
  });
  const scores = patternScoresWithIntervals([...PATTERNS], pairs);
  return { ...scores, average: averageOf([...PATTERNS], scores.perPattern), pairs, originals };
}
