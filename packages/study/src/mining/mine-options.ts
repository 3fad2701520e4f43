import { z } from 'zod';
import { searchIndexKinds } from '@mmvp/mining';
import { queueSettingsSchema } from '../queue/queue-settings';
import type { MineEvent } from './mine-events';

const cosine = (name: string) => z.number().finite().min(-1, `${name} must be a cosine between -1 and 1`).max(1, `${name} must be a cosine between -1 and 1`);
const whole = (min: number) => z.number().int().min(min);

/** Options of `mineBlindPairs` (what `mmvp mine`'s flags map to). */
export const mineBlindPairsOptionsSchema = z
  .object({
    /** CLIP model folder (onnx/vision_model.onnx, preprocessor_config.json). */
    clip: z.string().min(1),
    /** DINOv2 model folder (onnx/model.onnx, preprocessor_config.json). */
    dino: z.string().min(1),
    /** Image folder (walked recursively, symlinks followed) or a text file with one image path per line. */
    images: z.string().min(1),
    /** Output folder: pairs.csv, errors.csv, duplicates.csv, contact-sheet.png, summary.json, manifest.json, store/. */
    out: z.string().min(1),
    /** Keep pairs with CLIP cosine above this (the paper: 0.95). */
    clipMin: cosine('clipMin').default(0.95),
    /** Keep pairs with DINOv2 cosine below this (the paper: 0.6). */
    dinoMax: cosine('dinoMax').default(0.6),
    /** CLIP neighbours per image taken as candidates. */
    k: whole(1).default(10),
    index: z.enum(searchIndexKinds).default('exact'),
    /** Continue the embedding store in `out` (only images not in it are embedded). */
    resume: z.boolean().default(false),
    /** Discard an existing store and embed everything again. */
    rebuild: z.boolean().default(false),
    /** Image decode worker threads (0 = main thread); default: cores - 1 up to 4, 0 on 2 cores or fewer. */
    workers: whole(0).optional(),
    batchSize: whole(1).default(16),
    shardSize: whole(1).default(1024),
    recallSample: whole(1).default(200),
    /** Pairs shown in contact-sheet.png (0 = no contact sheet). */
    contactSheet: whole(0).default(24),
    /** Embed on `mmvp worker`s through BullMQ: one job per store shard (`shardSize` images; the queue's own shardSize is not used). */
    queue: queueSettingsSchema.optional(),
    /** Stops the run at its next shard; the store keeps what was embedded (`resume` continues). */
    abortSignal: z.custom<AbortSignal>((value) => value === undefined || value instanceof AbortSignal).optional(),
    /** Receives the run's events (typed in {@link MineBlindPairsOptions}). */
    onEvent: z.function().optional(),
  })
  .strict()
  .refine((options) => !(options.resume && options.rebuild), {
    message: 'resume and rebuild contradict each other: resume continues the store, rebuild discards it; choose one',
  });

/** What a caller passes to {@link mineBlindPairs}: model folders, images, output folder, thresholds and search settings. */
export type MineBlindPairsOptions = Omit<z.input<typeof mineBlindPairsOptionsSchema>, 'onEvent'> & {
  /** Called with the run's events: what it resolved, images embedded, the search, the files written; with `queue`, jobs and warnings. */
  readonly onEvent?: (event: MineEvent) => void;
};

/** The mining options after defaults (what the embed step and the finish read). */
export type ResolvedMineBlindPairsOptions = z.output<typeof mineBlindPairsOptionsSchema>;
