import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadMmvp, loadMmvpVlm, type MmvpDataset, type MmvpVlmDataset } from '@mmvp/datasets';
import { writeSynth } from '@mmvp/synth';

/** Side of the generated evaluation images, in pixels. */
export const EVAL_IMAGE_SIZE = 64;

/** One line of the generated set's ground-truth.jsonl (what the generator knows about a pair). */
export interface GroundTruth {
  readonly pair: number;
  readonly pattern: string;
  readonly mmvp_rows: readonly [number, number];
  readonly subject: string;
}

/** The demo's generated MMVP-Synth evaluation set: its folder and what was generated. */
export interface EvalSet {
  /** The generated folder (MMVP/, MMVP_VLM/, ground-truth.jsonl). */
  readonly folder: string;
  readonly mmvp: MmvpDataset;
  readonly vlm: MmvpVlmDataset;
  readonly truth: readonly GroundTruth[];
  /** MMVP row id -> its pair's ground truth. */
  readonly rowInfo: ReadonlyMap<number, GroundTruth>;
}

/**
 * A fresh MMVP-Synth evaluation set in `folder` (fixed seed, the `eval` split the zoo never saw),
 * in both the MMVP and the MMVP-VLM layout; pair k is the same scene in both.
 */
export async function generateEvalSet(folder: string, seed: number, pairsPerPattern: number): Promise<EvalSet> {
  // PNG: the zoo was trained on lossless renders, and the demo's numbers are pinned on PNG
  await writeSynth({ out: folder, seed, size: EVAL_IMAGE_SIZE, split: 'eval', pairsPerPattern, contactSheets: false, overwrite: true, imageFormat: 'png' });
  const mmvp = await loadMmvp(join(folder, 'MMVP'));
  const vlm = await loadMmvpVlm(join(folder, 'MMVP_VLM'));
  const truth = (await readFile(join(folder, 'ground-truth.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GroundTruth);
  const rowInfo = new Map<number, GroundTruth>();
  for (const entry of truth) for (const row of entry.mmvp_rows) rowInfo.set(row, entry);
  return { folder, mmvp, vlm, truth, rowInfo };
}
