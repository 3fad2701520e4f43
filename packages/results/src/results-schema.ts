import { z } from 'zod';

/**
 * The results folder that `mmvp demo` and `mmvp sweep` write and `mmvp report` reads. Every file is
 * optional (a sweep alone is a valid results folder); the report shows the sections whose files
 * exist. Scores are percentages (0-100), as in the paper's tables.
 *
 * ```
 * DIR/run.json          RunInfo: title, dataset, grading, models, timings, notes
 * DIR/vlm-scores.json   VlmScores: MMVP-VLM-style per-pattern scores of CLIP-style models and probes
 * DIR/mllm-scores.json  MllmScores: MMVP pair accuracy per pattern of MLLM pipelines + correlations
 * DIR/sweep.json        Sweep: A-MoF ratio sweep, both axes of the trade-off, plus reference points
 * DIR/blind-pairs.csv   image_a,image_b,clip_similarity,dino_similarity,pattern (paths relative to DIR)
 * DIR/answers.jsonl     one AnswerRecord per line (original MMVP fields + model, pattern, correct)
 * ```
 */
export const resultsFormat = 'mmvp-results/v1';

/** File names inside a results folder, by role. */
export const resultFileNames = {
  run: 'run.json',
  vlmScores: 'vlm-scores.json',
  mllmScores: 'mllm-scores.json',
  sweep: 'sweep.json',
  blindPairs: 'blind-pairs.csv',
  answers: 'answers.jsonl',
  seeds: 'seeds.json',
} as const;

/** Files each workflow writes under its own name that the reader reads too (workflow-files.ts). */
export const workflowFileNames = {
  /** `mmvp pope` */
  pope: 'pope-scores.json',
  /** `mmvp mine` (read when there is no blind-pairs.csv) */
  minePairs: 'pairs.csv',
  /** `mmvp eval-vlm`: one CLIP-style model's MMVP-VLM scores (named vlm-scores.json before 0.2) */
  vlmEvaluation: 'vlm-eval-scores.json',
  /** `mmvp eval-vlm`: one row per MMVP-VLM pair (named pairs.csv before 0.2) */
  vlmPairs: 'vlm-pairs.csv',
  /** `mmvp grade` and `mmvp eval-mllm`: the scores document (eval-mllm's folder is rendered from it) */
  mmvpScores: 'scores.json',
} as const;

/** POPE scores per split, fractions in [0, 1] (accuracy, precision, recall, F1 with 'yes' positive; yes-ratio). */
export interface PopeReport {
  readonly splits: readonly { split: string; total: number; accuracy: number; precision: number; recall: number; f1: number; yesRatio: number }[];
}

const percent = z.number().finite().min(0).max(100);
const perPatternScores = z.record(z.string(), percent);
/** A 95% bootstrap interval over pairs, [low, high] in percent (`accuracyWithIntervals` of @mmvp/metrics). */
const interval = z.tuple([percent, percent]).refine(([low, high]) => low <= high, 'an interval needs low <= high');
/** A paired difference's interval in points (may be negative). */
const differenceInterval = z.tuple([z.number().finite().min(-100).max(100), z.number().finite().min(-100).max(100)]);
/** b minus a over the same pairs, in points: the fields every paired comparison file shares. */
const pairedDifference = {
  a: z.string(),
  b: z.string(),
  pairs: z.number().int().positive(),
  difference: z.number().finite().min(-100).max(100),
  differenceCi95: differenceInterval,
};

/** run.json: what a run resolved (packages, models, strategy, seeds) and when it ran. */
export const runInfoSchema = z
  .object({
    format: z.literal(resultsFormat),
    title: z.string().min(1),
    createdAt: z.string().datetime({ offset: true }),
    command: z.string().optional(),
    dataset: z
      .object({
        name: z.string(),
        path: z.string().optional(),
        seed: z.number().int().optional(),
        pairsPerPattern: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    grading: z
      .object({ method: z.enum(['rule', 'llm']), labels: z.enum(['original', 'corrected']) })
      .strict()
      .optional(),
    models: z.array(z.object({ name: z.string(), path: z.string(), description: z.string().optional() }).strict()).default([]),
    timings: z.array(z.object({ stage: z.string(), seconds: z.number().nonnegative() }).strict()).default([]),
    notes: z.array(z.string()).default([]),
  })
  .strict();
/** run.json as read (defaults filled in). */
export type RunInfo = z.output<typeof runInfoSchema>;
/** run.json as written by a workflow (before defaults). */
export type RunInfoInput = z.input<typeof runInfoSchema>;

/** Checks that every model scores exactly the listed patterns. */
function patternsMatch(value: { patterns: string[]; models: { name: string; perPattern: Record<string, number> }[] }, context: z.RefinementCtx): void {
  const expected = new Set(value.patterns);
  value.models.forEach((model, index) => {
    const keys = Object.keys(model.perPattern);
    const missing = value.patterns.filter((pattern) => !(pattern in model.perPattern));
    const extra = keys.filter((key) => !expected.has(key));
    if (missing.length > 0 || extra.length > 0) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['models', index, 'perPattern'],
        message: `model '${model.name}' must score exactly the listed patterns${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown ${extra.join(', ')}` : ''}`,
      });
    }
  });
}

/** vlm-scores.json: MMVP-VLM scores per model and pattern. */
export const vlmScoresSchema = z
  .object({
    patterns: z.array(z.string()).min(1),
    models: z.array(
      z
        .object({
          name: z.string().min(1),
          /** 'text-image': statements vs images (MMVP-VLM rule); 'image-only-probe': image-to-image similarity test. */
          kind: z.enum(['text-image', 'image-only-probe']),
          description: z.string().optional(),
          pairsPerPattern: z.number().int().positive(),
          perPattern: perPatternScores,
          average: percent,
          /** 95% bootstrap intervals over pairs (absent in files written before intervals existed). */
          averageCi95: interval.optional(),
          perPatternCi95: z.record(z.string(), interval).optional(),
        })
        .strict(),
    ),
  })
  .strict()
  .superRefine(patternsMatch);
/** vlm-scores.json as read. */
export type VlmScores = z.output<typeof vlmScoresSchema>;

/** A mixture strategy name as written in results files. */
export const mixtureStrategySchema = z.enum(['clip', 'dino', 'additive', 'interleaved']);

/** mllm-scores.json: MMVP pair accuracy per model and pattern, with 95% intervals. */
export const mllmScoresSchema = z
  .object({
    patterns: z.array(z.string()).min(1),
    models: z.array(
      z
        .object({
          name: z.string().min(1),
          strategy: mixtureStrategySchema,
          /** DINOv2 ratio r of A-MoF; null for the other strategies. */
          ratio: z.number().min(0).max(1).nullable(),
          pairs: z.number().int().nonnegative(),
          questions: z.number().int().nonnegative(),
          pairAccuracy: percent,
          questionAccuracy: percent,
          perPattern: perPatternScores,
          /** 95% bootstrap intervals over pairs (absent in files written before intervals existed). */
          pairAccuracyCi95: interval.optional(),
          questionAccuracyCi95: interval.optional(),
          perPatternCi95: z.record(z.string(), interval).optional(),
          /** Several trained seeds of one configuration: each seed's pair accuracy (the headline is their mean). */
          seeds: z.array(z.object({ name: z.string(), pairAccuracy: percent }).strict()).optional(),
        })
        .strict(),
    ),
    /** Paired comparisons over the same pairs (`comparePairAccuracy`): b minus a, in points. */
    comparisons: z
      .array(
        z
          .object({
            ...pairedDifference,
            onlyA: z.number().int().nonnegative(),
            onlyB: z.number().int().nonnegative(),
            mcnemarP: z.number().min(0).max(1),
            /** Holm-adjusted McNemar p-value over the comparison's family (sweep and demo: every ratio against r = 0). */
            mcnemarPHolm: z.number().min(0).max(1).optional(),
            /** True only when the interval excludes 0 (and, in a family, the Holm-adjusted p-value is below 0.05). */
            resolved: z.boolean(),
            /** Smallest difference (points) these pairs resolve at 80% power, from the observed discordance; null with none discordant. */
            minimumDetectableDifference: z.number().finite().nonnegative().nullable().optional(),
            description: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    correlations: z
      .array(
        z
          .object({
            x: z.string(),
            y: z.string(),
            pearson: z.number().min(-1).max(1).nullable(),
            /** 95% bootstrap interval of r over the pairs (absent in older files). */
            pearsonCi95: z
              .tuple([z.number().min(-1).max(1), z.number().min(-1).max(1)])
              .nullable()
              .optional(),
            description: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine(patternsMatch);
/** mllm-scores.json as read. */
export type MllmScores = z.output<typeof mllmScoresSchema>;

/** One point of the ratio sweep: the ratio and its scores with intervals. */
export const sweepPointSchema = z
  .object({
    model: z.string(),
    ratio: z.number().min(0).max(1),
    /** MMVP-style pair accuracy (%), the visual-grounding axis. */
    pairAccuracy: percent,
    /** Instruction-following proxy (%), the other axis of the trade-off; null when not measured. */
    instructionFollowing: percent.nullable(),
    pairAccuracyCi95: interval.optional(),
    instructionFollowingCi95: interval.nullable().optional(),
  })
  .strict();

/** sweep.json: the A-MoF ratio sweep, one point per DINOv2 ratio. */
export const sweepSchema = z
  .object({
    pipeline: z.string().optional(),
    /**
     * 'fixed-adapter': one pipeline, only the mixing ratio changes (adapter and LLM fixed);
     * 'per-ratio': one trained model per ratio, as in the paper's Table 3 (encoders shared, run once).
     */
    protocol: z.enum(['fixed-adapter', 'per-ratio']).optional(),
    proxy: z.object({ name: z.string(), description: z.string() }).strict(),
    points: z.array(sweepPointSchema).min(1),
    /** Non-swept comparisons drawn as reference lines (e.g. I-MoF, CLIP-only). */
    references: z
      .array(
        z
          .object({
            model: z.string(),
            strategy: mixtureStrategySchema,
            pairAccuracy: percent,
            instructionFollowing: percent.nullable(),
            pairAccuracyCi95: interval.optional(),
            instructionFollowingCi95: interval.nullable().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
/** sweep.json as read. */
export type Sweep = z.output<typeof sweepSchema>;

/** One CLIP-blind pair: both images and their CLIP and DINOv2 cosines. */
export const blindPairSchema = z
  .object({
    imageA: z.string().min(1),
    imageB: z.string().min(1),
    clipSimilarity: z.number().min(-1).max(1),
    dinoSimilarity: z.number().min(-1).max(1),
    pattern: z.string().optional(),
  })
  .strict();
/** One CLIP-blind pair, as read. */
export type BlindPair = z.output<typeof blindPairSchema>;
/** Column order of blind-pairs.csv. */
export const blindPairColumns = ['image_a', 'image_b', 'clip_similarity', 'dino_similarity', 'pattern'] as const;

/**
 * One answers.jsonl line: the original MMVP script's fields (`question_id`, `prompt`, `answer`,
 * `response`, as `evaluate_mllm.py` writes them) plus ours, each optional. One shape for every writer:
 * the answering runs (eval-mllm, its endpoint and queue twins) add `answer_id`, `model_id`,
 * `prompt_style`, `image`, `finish_reason`, `generated_tokens`, `run_identity`; the demo and the sweep
 * write graded lines (`model`, `pattern`, `question`, `options`, `choice`, `correct`), which the
 * report's answers gallery shows. Fields of other harnesses' files are kept (passthrough).
 */
export const answerLineSchema = z
  .object({
    question_id: z.union([z.number().int(), z.string()]),
    prompt: z.string().optional(),
    /** Gold answer as in Questions.csv, e.g. '(a)'. */
    answer: z.string(),
    response: z.string(),
    answer_id: z.string().optional(),
    model_id: z.string().optional(),
    prompt_style: z.string().optional(),
    image: z.string().optional(),
    finish_reason: z.string().optional(),
    generated_tokens: z.number().int().nonnegative().optional(),
    run_identity: z.string().optional(),
    model: z.string().optional(),
    pattern: z.string().optional(),
    question: z.string().optional(),
    options: z.string().optional(),
    choice: z.enum(['a', 'b', 'undetermined']).optional(),
    correct: z.boolean().optional(),
  })
  .passthrough();
/** One answers.jsonl line, as read. */
export type AnswerLine = z.output<typeof answerLineSchema>;

/** A graded answers.jsonl line (the demo's and the sweep's): an answer line whose grading fields are all present. */
export const answerRecordSchema = z
  .object({
    model: z.string(),
    question_id: z.union([z.number().int(), z.string()]),
    pattern: z.string(),
    question: z.string(),
    options: z.string(),
    /** Gold answer as in Questions.csv, e.g. '(a)'. */
    answer: z.string(),
    response: z.string(),
    prompt: z.string().optional(),
    choice: z.enum(['a', 'b', 'undetermined']).optional(),
    correct: z.boolean(),
    image: z.string().optional(),
  })
  .strict();
/** A graded answers.jsonl line, as written and as the report shows it. */
export type AnswerRecord = z.output<typeof answerRecordSchema>;

/** seeds.json: configurations trained with several seeds, their spread, and seed-averaged paired comparisons (mmvp demo). */
export const seedsSchema = z
  .object({
    format: z.literal('mmvp-seeds/v1'),
    summaries: z.array(
      z
        .object({
          configuration: z.string(),
          seeds: z.array(z.object({ model: z.string(), seed: z.number().int().positive(), pairAccuracy: percent, pairAccuracyCi95: interval, instructionFollowing: percent }).strict()).min(1),
          /** Mean over seeds of the pair accuracy. */
          mean: percent,
          /** Sample standard deviation over seeds (points). */
          sd: z.number().finite().nonnegative(),
          min: percent,
          max: percent,
          /** 95% bootstrap interval over pairs of the seed mean (seeds held fixed). */
          meanCi95: interval,
          instructionFollowingMean: percent,
        })
        .strict(),
    ),
    /** b minus a, each averaged over its seeds, paired over the same pairs. */
    comparisons: z
      .array(
        z
          .object({
            ...pairedDifference,
            seedsA: z.number().int().positive(),
            seedsB: z.number().int().positive(),
            /** 95% interval counting training seeds as well as pairs (seeds.json files before 2026-12 lack it). */
            differenceCi95WithSeeds: differenceInterval.optional(),
            /** Seeds per configuration that would resolve the observed difference if it and the variances held; null: none up to 1,000. */
            seedsToResolve: z.number().int().positive().nullable().optional(),
            /** Smallest difference (points) these pairs resolve at 80% power, from the observed discordance (seed 1 of each side). */
            minimumDetectableDifference: z.number().finite().nonnegative().nullable().optional(),
            /** True only when the interval that counts seeds excludes 0 (the pairs-only interval before 2026-12). */
            resolved: z.boolean(),
            description: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
/** seeds.json as read. */
export type SeedsFile = z.output<typeof seedsSchema>;

const fraction = z.number().min(0).max(1);
/** pope-scores.json (`mmvp pope`): accuracy, precision, recall, F1 and yes-ratio per split, fractions. */
export const popeScoresSchema = z
  .object({
    benchmark: z.literal('POPE'),
    splits: z.array(z.object({ split: z.string(), total: z.number().int().nonnegative(), accuracy: fraction, precision: fraction, recall: fraction, f1: fraction, yesRatio: fraction }).passthrough()).min(1),
  })
  .passthrough();

const looseInterval = z.tuple([z.number(), z.number()]);
/** vlm-eval-scores.json (`mmvp eval-vlm`, benchmark 'MMVP-VLM'): one CLIP-style model, per-pattern scores with intervals. */
export const vlmEvaluationSchema = z
  .object({
    benchmark: z.literal('MMVP-VLM'),
    perPattern: z.array(z.object({ pattern: z.string(), pairs: z.number().int().nonnegative(), score: z.number(), ci95: looseInterval.optional() }).passthrough()).min(1),
    average: z.number(),
    averageCi95: looseInterval.optional(),
    provenance: z
      .object({ model: z.object({ folder: z.string().optional() }).passthrough().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** Column order of `mmvp mine`'s pairs.csv. */
export const minePairColumns = ['image_a', 'image_b', 'clip_cosine', 'dino_cosine', 'gap'] as const;

const percentRow = { pairs: z.number().int().nonnegative(), pairAccuracy: percent, questionAccuracy: percent, pairAccuracyCi95: interval, questionAccuracyCi95: interval };
/**
 * scores.json (`mmvp grade`, `mmvp eval-mllm`): MMVP pair and question accuracy with intervals, per
 * pattern when a pattern map was given, the grader, the labels and the inputs' provenance. The
 * fields the reader uses are checked; the rest of the document (grader, inputs, provenance) is kept.
 */
export const mmvpScoresSchema = z
  .object({
    benchmark: z.literal('MMVP'),
    ...percentRow,
    questions: z.number().int().nonnegative(),
    perPattern: z.array(z.object({ pattern: z.string(), questions: z.number().int().nonnegative(), ...percentRow }).passthrough()).optional(),
    /** Who graded and what answered: eval-mllm's `pipelineConfig` names the pipeline (pipelineStrategyOf reads its strategy). */
    provenance: z.record(z.unknown()),
  })
  .passthrough();

const pipelineProvenanceSchema = z.object({ config: z.object({ strategy: z.object({ name: mixtureStrategySchema }).passthrough() }).passthrough() }).passthrough();
/** The mixture strategy of the pipeline that answered (eval-mllm's scores.json), or undefined (a grade or endpoint run). */
export function pipelineStrategyOf(document: MmvpScoresFile): z.output<typeof mixtureStrategySchema> | undefined {
  const parsed = pipelineProvenanceSchema.safeParse(document.provenance['pipelineConfig']);
  return parsed.success ? parsed.data.config.strategy.name : undefined;
}
/** scores.json as read. */
export type MmvpScoresFile = z.output<typeof mmvpScoresSchema>;

/** Everything found in a results folder; absent files are undefined. */
export interface ResultsBundle {
  readonly directory: string;
  /** The names of the files read, in reading order (absent when the bundle was built by hand). */
  readonly read?: readonly string[];
  readonly run?: RunInfo;
  readonly vlmScores?: VlmScores;
  readonly mllmScores?: MllmScores;
  readonly sweep?: Sweep;
  readonly blindPairs?: readonly BlindPair[];
  readonly answers?: readonly AnswerRecord[];
  readonly pope?: PopeReport;
  readonly seeds?: SeedsFile;
  /** What the reader noticed on the way: a file read under its old name, a file left out and why. */
  readonly notes?: readonly string[];
}
