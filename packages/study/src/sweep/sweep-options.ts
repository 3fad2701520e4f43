import { z } from 'zod';
import type { PipelineConfig } from '@mmvp/pipeline';
import { queueSettingsSchema } from '../queue/queue-settings';
import type { ProgressEvent, QueueSummaryEvent, ResolvedEvent, WarningEvent, WrittenEvent } from '../runner/workflow-events';
import type { SweepQuestionSet } from './sweep-data';
import type { SweepProtocol, SweepRatioResult } from './sweep-results';

/** A pipeline config: a JSON file path, or a config already loaded (`loadPipelineConfig`). */
export type PipelineSource = string | PipelineConfig;

const pipelineSource = z.union([z.string().min(1), z.custom<PipelineConfig>((value) => value !== null && typeof value === 'object' && 'strategy' in value && 'encoders' in value, 'a pipeline config object')]);
const questionSetSchema = z.custom<SweepQuestionSet>((value) => value !== null && typeof value === 'object' && Array.isArray((value as SweepQuestionSet).questions), 'a question set { questions }');

/** Options of {@link runSweep}, checked with zod (unknown keys are refused). */
export const sweepOptionsSchema = z
  .object({
    /** Fixed-adapter: one config. A path containing `{r}` is the per-ratio protocol: `{r}` becomes each ratio's text. */
    pipeline: pipelineSource.optional(),
    /** Per-ratio protocol: each ratio's own config (its own adapter and LLM; same encoders). */
    pipelineFor: z
      .function()
      .args(z.number(), z.string())
      .returns(z.union([pipelineSource, z.promise(pipelineSource)]))
      .optional(),
    /** DINOv2 ratios r, plain decimals in [0, 1], each once (`parseRatios`). */
    ratios: z.union([z.string(), z.array(z.union([z.number(), z.string()]))]),
    /** MMVP-format folder (Questions.csv + 'MMVP Images/', or a folder holding MMVP/), or questions in memory. */
    data: z.union([z.string().min(1), questionSetSchema]),
    /** Only the first N pairs of `data`. */
    limit: z.number().int().positive().optional(),
    /** Instruction-following proxy: a second question set answered at every ratio; its per-question accuracy is each point's `instructionFollowing`. */
    proxy: z
      .object({
        data: z.union([z.string().min(1), questionSetSchema]),
        limit: z.number().int().positive().optional(),
        name: z.string().optional(),
        description: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Images encoded and prompts decoded together (default 8). */
    batchSize: z.number().int().positive().default(8),
    /** Results folder: when given, the sweep holds its lock for the whole run and writes answers.jsonl, mllm-scores.json, sweep.json, run.json at the end. */
    out: z.string().min(1).optional(),
    /**
     * Continue the sweep whose answers are in `out/sweep-journal.jsonl` (needs `out`): the run's
     * identity must match, and only the batches not answered yet are decoded.
     */
    resume: z.boolean().default(false),
    /** Run distributed (needs `out`): ratio x image-chunk jobs on BullMQ (Redis), answered by `mmvp worker`s; this process records them in the journal, then scores. */
    queue: queueSettingsSchema.optional(),
    /** The command line, for run.json. */
    command: z.string().optional(),
    /** How to name the inputs in error messages (the CLI passes its flags, e.g. `--proxy-data DIR`). */
    inputNames: z.object({ pipeline: z.string(), data: z.string(), proxy: z.string() }).partial().strict().default({}),
    /** Stops the sweep at its next batch; the answers so far stay in the journal (`resume` continues). */
    abortSignal: z.instanceof(AbortSignal).optional(),
    /** Called with the sweep's events (typed in {@link SweepOptions}). */
    onEvent: z.function().args(z.any()).returns(z.void()).optional(),
    /** Each ratio's model name in the results files (default `r=<ratio>`, e.g. the demo's `llava-amof-<r>`). */
    modelName: z.function().args(z.number(), z.string()).returns(z.string()).optional(),
  })
  .strict()
  .superRefine((value, context) => {
    if (value.queue !== undefined && value.out === undefined) context.addIssue({ code: z.ZodIssueCode.custom, path: ['queue'], message: 'queue needs out (the folder whose sweep-journal.jsonl the coordinator writes)' });
    if (value.resume && value.out === undefined) context.addIssue({ code: z.ZodIssueCode.custom, path: ['resume'], message: 'resume needs out (the folder whose sweep-journal.jsonl is continued)' });
    if ((value.pipeline === undefined) === (value.pipelineFor === undefined)) {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['pipeline'], message: 'give exactly one of pipeline (a config, or a path with {r}) and pipelineFor (r => config)' });
    }
  });

/** What a caller passes to {@link runSweep}: the schema's input with the typed callbacks. */
export type SweepOptions = Omit<z.input<typeof sweepOptionsSchema>, 'pipelineFor' | 'onEvent' | 'modelName'> & {
  /** Each ratio's model name in the results files (default `r=<ratio>`). */
  readonly modelName?: (ratio: number, text: string) => string;
  /** Per-ratio protocol: the pipeline (config or config path) of each ratio. */
  readonly pipelineFor?: (ratio: number, text: string) => PipelineSource | Promise<PipelineSource>;
  /** Called with the sweep's events: encoding, each ratio started/answered/finished, queue jobs and warnings, files written. */
  readonly onEvent?: (event: SweepEvent) => void;
};

/**
 * What runSweep reports, in order: resolved, images encoded (stage `images`, repeatedly), then per ratio
 * started / answered / finished, then written; with `queue`, jobs committed (stage `jobs`), warnings (a refusing
 * worker, Redis away) and the coordinator's summary line first. Its slice of StudyEvent.
 */
export type SweepEvent =
  /** What the sweep resolved (lines), its protocol and its ratios (as given, e.g. '0.25'), before any image is encoded. */
  | (ResolvedEvent<'sweep'> & { readonly protocol: SweepProtocol; readonly ratios: readonly string[] })
  | { readonly workflow: 'sweep'; readonly type: 'resumed'; readonly journal: string; readonly answers: number }
  | ProgressEvent<'sweep', 'images' | 'jobs'>
  | { readonly workflow: 'sweep'; readonly type: 'ratio-started'; readonly ratio: number; readonly index: number; readonly pipeline: string }
  | { readonly workflow: 'sweep'; readonly type: 'answered'; readonly ratio: number; readonly done: number; readonly total: number }
  | { readonly workflow: 'sweep'; readonly type: 'ratio-finished'; readonly result: SweepRatioResult }
  | WrittenEvent<'sweep'>
  | WarningEvent<'sweep'>
  | QueueSummaryEvent<'sweep'>;
