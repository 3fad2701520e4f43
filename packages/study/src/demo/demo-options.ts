import { z } from 'zod';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';
import type { ProgressEvent } from '../runner/workflow-events';

/**
 * The trained zoo's LLaVA configurations (tools/zoo/build_zoo.py CONFIGS), in report order.
 * `configuration` names the seed-1 folder; CLIP-only, A-MoF r = 0.625 and I-MoF are also trained with
 * seeds 2 and 3 (folders `<configuration>-seed2`, `-seed3`), which the demo summarises as mean and spread.
 */
export const DEMO_LLAVA_MODELS = [
  { name: 'llava-clip', configuration: 'llava-clip', seed: 1, strategy: 'clip', ratio: null },
  { name: 'llava-clip-seed2', configuration: 'llava-clip', seed: 2, strategy: 'clip', ratio: null },
  { name: 'llava-clip-seed3', configuration: 'llava-clip', seed: 3, strategy: 'clip', ratio: null },
  { name: 'llava-amof-0', configuration: 'llava-amof-0', seed: 1, strategy: 'additive', ratio: 0 },
  { name: 'llava-amof-0.25', configuration: 'llava-amof-0.25', seed: 1, strategy: 'additive', ratio: 0.25 },
  { name: 'llava-amof-0.5', configuration: 'llava-amof-0.5', seed: 1, strategy: 'additive', ratio: 0.5 },
  { name: 'llava-amof-0.625', configuration: 'llava-amof-0.625', seed: 1, strategy: 'additive', ratio: 0.625 },
  { name: 'llava-amof-0.625-seed2', configuration: 'llava-amof-0.625', seed: 2, strategy: 'additive', ratio: 0.625 },
  { name: 'llava-amof-0.625-seed3', configuration: 'llava-amof-0.625', seed: 3, strategy: 'additive', ratio: 0.625 },
  { name: 'llava-amof-0.75', configuration: 'llava-amof-0.75', seed: 1, strategy: 'additive', ratio: 0.75 },
  { name: 'llava-amof-0.875', configuration: 'llava-amof-0.875', seed: 1, strategy: 'additive', ratio: 0.875 },
  { name: 'llava-amof-1', configuration: 'llava-amof-1', seed: 1, strategy: 'additive', ratio: 1 },
  { name: 'llava-imof', configuration: 'llava-imof', seed: 1, strategy: 'interleaved', ratio: null },
  { name: 'llava-imof-seed2', configuration: 'llava-imof', seed: 2, strategy: 'interleaved', ratio: null },
  { name: 'llava-imof-seed3', configuration: 'llava-imof', seed: 3, strategy: 'interleaved', ratio: null },
] as const;
/** One tiny LLaVA model the demo evaluates: its folder name, configuration, training seed, MoF strategy and DINOv2 ratio. */
export type DemoLlavaModel = (typeof DEMO_LLAVA_MODELS)[number];

/**
 * Default pairs per pattern of the LLaVA models' own evaluation set (findings 2-3), when neither
 * pairsPerPattern nor llavaPairsPerPattern is given. Chosen so that finding 3's paired comparisons
 * can resolve a 3-point difference at 80% power (two-sided 5%, exact McNemar): at the discordance the
 * shipped zoo shows between I-MoF and CLIP-only (17.8% of pairs), `pairsNeeded(3, { discordant: 0.178 })`
 * is 1,607 pairs, 179 per pattern; 200 per pattern (1,800 pairs) resolve 2.8 points there and 3 points
 * up to about 20% discordance. The whole demo then fits its 10-minute budget on two idle cores.
 * Finding 1's MMVP-VLM table keeps the 15-pair layout.
 */
export const DEMO_LLAVA_PAIRS_PER_PATTERN = 200;

/** The paper's CLIP-blind thresholds (set for CLIP ViT-L/14 and DINOv2 ViT-L/14). */
export const PAPER_CLIP_MIN = 0.95;
/** The paper's DINOv2 ceiling for a CLIP-blind pair (cosine below this: DINOv2 sees two images). */
export const PAPER_DINO_MAX = 0.6;

/** The names of DEMO_LLAVA_MODELS, the valid values of the demo's `models` option. */
const DEMO_LLAVA_MODEL_NAMES = DEMO_LLAVA_MODELS.map((model) => model.name) as unknown as readonly [DemoLlavaModel['name'], ...DemoLlavaModel['name'][]];

const fraction = z.number().finite().min(-1).max(1);

/** Options of {@link runDemo}, checked with zod (unknown keys are refused). */
export const runDemoOptionsSchema = z
  .object({
    /** The trained zoo folder (tiny-clip, tiny-ssl, llava-* and zoo.json), e.g. models/zoo of a checkout. */
    zoo: z.string().min(1),
    /** The results folder (report.html, JSON/CSV results, the generated eval set under data/). */
    out: z.string().min(1),
    /** Seed of the generated MMVP-Synth evaluation set (default 2024). */
    seed: z.number().int().nonnegative().default(2024),
    /** Evaluation pairs per visual pattern (default 15, the MMVP-VLM layout). */
    pairsPerPattern: z.number().int().positive().default(15),
    /**
     * Pairs per pattern of the LLaVA models' own MMVP-Synth evaluation set (findings 2-3), at least
     * pairsPerPattern; finding 1's MMVP-VLM table keeps pairsPerPattern. Default:
     * DEMO_LLAVA_PAIRS_PER_PATTERN (200) when pairsPerPattern is not given either, else pairsPerPattern
     * (one set for everything, as a small test run wants).
     */
    llavaPairsPerPattern: z.number().int().positive().optional(),
    /** LLaVA configurations to run, by name (default: all of DEMO_LLAVA_MODELS). */
    models: z.array(z.enum(DEMO_LLAVA_MODEL_NAMES)).optional(),
    /** CLIP-blind thresholds; default: the zoo's calibrated zoo.json values, else the paper's. */
    clipMin: fraction.optional(),
    dinoMax: fraction.optional(),
    /** Write report.html (default true). */
    report: z.boolean().default(true),
    /** The command line recorded in run.json (default: a description of this call). */
    command: z.string().optional(),
  })
  .strict()
  // without an explicit llavaPairsPerPattern the LLaVA set is sized from pairsPerPattern (never smaller)
  .superRefine(({ llavaPairsPerPattern, pairsPerPattern }, context) => {
    if (llavaPairsPerPattern !== undefined && llavaPairsPerPattern < pairsPerPattern)
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['llavaPairsPerPattern'],
        message: `must be at least pairsPerPattern (${pairsPerPattern}): the LLaVA set holds finding 1's scenes and more`,
      });
  });
/** What a caller passes to {@link runDemo}: the schema's input plus an abort signal and an event callback. */
export type RunDemoOptionsInput = z.input<typeof runDemoOptionsSchema> & {
  /** Stops the demo at its next step; run it again to start over. */
  readonly abortSignal?: AbortSignal;
  /** Called with each stage's results and progress (the CLI prints them). */
  readonly onEvent?: (event: DemoEvent) => void;
};
/** The demo's options after defaults are applied. */
export type RunDemoOptions = z.output<typeof runDemoOptionsSchema>;

/** Checks runDemo's options through the workflows' one validation path (an InvalidArgumentError naming the key and the valid choices). */
export function parseDemoOptions(input: RunDemoOptionsInput): RunDemoOptions & { llavaPairsPerPattern: number; selected: DemoLlavaModel[] } {
  const { abortSignal: _abortSignal, onEvent: _onEvent, ...rest } = input;
  const options = parseWorkflowOptions('runDemo', runDemoOptionsSchema, rest);
  const names: readonly string[] = options.models ?? DEMO_LLAVA_MODEL_NAMES;
  const { pairsPerPattern } = options;
  // an explicit pairsPerPattern alone sizes every finding (as before); with neither given, the powered default
  const llavaPairsPerPattern = options.llavaPairsPerPattern ?? (rest.pairsPerPattern === undefined ? Math.max(DEMO_LLAVA_PAIRS_PER_PATTERN, pairsPerPattern) : pairsPerPattern);
  return { ...options, llavaPairsPerPattern, selected: DEMO_LLAVA_MODELS.filter((m) => names.includes(m.name)) };
}

type Interval = readonly [number, number];

/** What runDemo reports while it runs, in order: its slice of StudyEvent. */
export type DemoEvent =
  | {
      readonly workflow: 'demo';
      readonly type: 'resolved';
      readonly zoo: string;
      readonly out: string;
      readonly models: readonly string[];
      readonly clipMin: number;
      readonly dinoMax: number;
      readonly thresholdSource: string;
    }
  | {
      readonly workflow: 'demo';
      readonly type: 'eval-set';
      readonly seed: number;
      readonly pairsPerPattern: number;
      readonly patterns: number;
      readonly questions: number;
      readonly imageSize: number;
      /** Set when the LLaVA models answer their own, larger set: its pairs per pattern and questions. */
      readonly llava?: { readonly pairsPerPattern: number; readonly questions: number };
    }
  | { readonly workflow: 'demo'; readonly type: 'encoders'; readonly clip: string; readonly ssl: string; readonly clipImageSize: readonly number[] }
  /** MMVP-VLM pairs scored (stage `vlm-pairs`). */
  | ProgressEvent<'demo', 'vlm-pairs'>
  | {
      readonly workflow: 'demo';
      readonly type: 'vlm-scores';
      readonly clipAverage: number;
      readonly clipAverageCi95: Interval;
      readonly clipProbeAverage: number;
      readonly clipProbeAverageCi95: Interval;
      readonly sslProbeAverage: number;
      readonly sslProbeAverageCi95: Interval;
    }
  | {
      readonly workflow: 'demo';
      readonly type: 'blind-pairs';
      readonly found: number;
      readonly samePair: number;
      readonly pool: number;
      readonly clipMin: number;
      readonly dinoMax: number;
      readonly thresholdSource: string;
    }
  | {
      readonly workflow: 'demo';
      readonly type: 'model-done';
      readonly model: string;
      readonly pairAccuracy: number;
      readonly pairAccuracyCi95: Interval;
      readonly questionAccuracy: number;
      readonly questionAccuracyCi95: Interval;
      readonly instructionFollowing: number;
      readonly instructionFollowingCi95: Interval;
      readonly seconds: number;
    }
  | {
      readonly workflow: 'demo';
      readonly type: 'seeds';
      readonly configuration: string;
      readonly seeds: number;
      readonly mean: number;
      readonly sd: number;
      readonly min: number;
      readonly max: number;
      readonly meanCi95: Interval;
    }
  | {
      readonly workflow: 'demo';
      readonly type: 'seed-comparison';
      readonly a: string;
      readonly b: string;
      readonly difference: number;
      /** Pairs resampled, seeds held fixed. */
      readonly differenceCi95: Interval;
      /** Seeds and pairs both counted: what `resolved` rests on. */
      readonly differenceCi95WithSeeds: Interval;
      readonly seedsToResolve: number | null;
      readonly resolved: boolean;
    }
  | { readonly workflow: 'demo'; readonly type: 'correlation'; readonly x: string; readonly y: string; readonly pearson: number | null; readonly pearsonCi95: Interval | null }
  | { readonly workflow: 'demo'; readonly type: 'stage-done'; readonly stage: string; readonly seconds: number }
  | { readonly workflow: 'demo'; readonly type: 'report'; readonly path: string };
