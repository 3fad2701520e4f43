import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from '@mmvp/core';
import { z } from 'zod';
import { PAPER_CLIP_MIN, PAPER_DINO_MAX } from './demo-options';

/**
 * `<zoo>/zoo.json`: what the zoo build measured about its own models. `blindPairs` holds CLIP-blind
 * thresholds calibrated on the TRAINING split (tools/zoo), since a tiny model's cosine scale is not ViT-L's.
 */
const zooInfoSchema = z
  .object({
    format: z.literal('mmvp-zoo/v1'),
    blindPairs: z
      .object({
        clipMin: z.number().min(-1).max(1),
        dinoMax: z.number().min(-1).max(1),
        calibration: z.string(),
      })
      .strict()
      .optional(),
  })
  .passthrough();

/** CLIP-blind thresholds for a model zoo: CLIP cosine above clipMin and DINOv2 cosine below dinoMax. */
export interface BlindThresholds {
  readonly clipMin: number;
  readonly dinoMax: number;
  /** Where each value came from, for the log and the run notes. */
  readonly source: string;
}

/** The given values when set, else the zoo's calibrated values (zoo.json), else the paper's. */
export async function blindThresholds(zoo: string, given: { clipMin?: number | undefined; dinoMax?: number | undefined }): Promise<BlindThresholds> {
  const path = join(zoo, 'zoo.json');
  const calibrated = existsSync(path) ? (await readJsonFile(path, zooInfoSchema)).blindPairs : undefined;
  const clipMin = given.clipMin ?? calibrated?.clipMin ?? PAPER_CLIP_MIN;
  const dinoMax = given.dinoMax ?? calibrated?.dinoMax ?? PAPER_DINO_MAX;
  const from = (value: number | undefined) => (value !== undefined ? 'command line' : calibrated ? `${path} (${calibrated.calibration})` : "the paper's ViT-L values");
  const source = from(given.clipMin) === from(given.dinoMax) ? from(given.clipMin) : `CLIP: ${from(given.clipMin)}; SSL: ${from(given.dinoMax)}`;
  return { clipMin, dinoMax, source };
}
