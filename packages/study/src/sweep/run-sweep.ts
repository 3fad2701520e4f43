import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { InvalidConfigError, assertFinite, parseWithSchema, type Tensor } from '@mmvp/core';
import { formatQuestion, loadDecoder, type Decoder } from '@mmvp/decoder';
import { holmAdjustComparisons, type PairedComparison } from '@mmvp/metrics';
import type { MixtureFeatures } from '@mmvp/mof';
import { createVisualTokenizer, loadPipelineConfig, type PipelineConfig, type VisualTokenizer } from '@mmvp/pipeline';
import { checkSameEncoders, createFolderHasher, type EncoderIdentity } from './encoder-identity';
import { parseRatios, type SweepRatio } from './ratios';
import { compareToBaseline, gradeAnswers, scoreProxy, scoreRatio, type GradedAnswer, type Interval, type RatioScores } from './score-ratio';
import { loadSweepQuestions, type SweepQuestion, type SweepQuestionSet } from './sweep-data';
import { hashModelFiles, modelFilesSha256 } from '../provenance/model-files';
import { fingerprint, openSweepJournal, type JournalAnswer, type SweepJournal } from './sweep-journal';
import { sweepDocuments, writeSweepFiles, type SweepDocuments } from './write-sweep-files';
import { queueSettingsSchema } from '../queue/queue-settings';
import { sweepThroughQueue } from '../queue/sweep-through-queue';
import { queueSummaryLine } from '../queue/queued-answers';
import type { CoordinatorEvent } from '../queue/coordinator';
import { batchRow, decodingOf } from './batch-decoding';
import { withRunFolderLock } from '@mmvp/results';

/** 'fixed-adapter': one pipeline, only r changes; 'per-ratio': one trained model per ratio (the paper's Table 3). */
export type SweepProtocol = 'fixed-adapter' | 'per-ratio';

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
    signal: z.instanceof(AbortSignal).optional(),
    /** Called with the sweep's progress events (typed in {@link SweepOptions}). */
    onProgress: z.function().args(z.any()).returns(z.void()).optional(),
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
export type SweepOptions = Omit<z.input<typeof sweepOptionsSchema>, 'pipelineFor' | 'onProgress' | 'modelName'> & {
  /** Each ratio's model name in the results files (default `r=<ratio>`). */
  readonly modelName?: (ratio: number, text: string) => string;
  /** Per-ratio protocol: the pipeline (config or config path) of each ratio. */
  readonly pipelineFor?: (ratio: number, text: string) => PipelineSource | Promise<PipelineSource>;
  /** Called with the sweep's progress: encoding, each ratio started/answered/finished, queue events, files written. */
  readonly onProgress?: (event: SweepProgressEvent) => void;
};

/** Progress of a sweep, in order: resolved, encoded (repeatedly), then per ratio started / answered / finished, then written. */
export type SweepProgressEvent =
  | { readonly type: 'resolved'; readonly protocol: SweepProtocol; readonly lines: readonly string[] }
  | { readonly type: 'resumed'; readonly journal: string; readonly answers: number }
  | { readonly type: 'encoded'; readonly done: number; readonly total: number }
  | { readonly type: 'ratio-started'; readonly ratio: number; readonly index: number; readonly pipeline: string }
  | { readonly type: 'answered'; readonly ratio: number; readonly done: number; readonly total: number }
  | { readonly type: 'ratio-finished'; readonly result: SweepRatioResult }
  | { readonly type: 'written'; readonly files: readonly string[] }
  /** With `queue`: jobs committed of all planned, or a warning (a refusing worker, Redis away). */
  | { readonly type: 'queue'; readonly event: CoordinatorEvent }
  /** With `queue`: what the coordinator did, in one line. */
  | { readonly type: 'queue-summary'; readonly line: string };

/** One ratio's outcome. Scores in percent; intervals are 95% Wilson intervals over pairs. */
export interface SweepRatioResult extends RatioScores {
  readonly ratio: number;
  /** The ratio as written in `ratios` (what `{r}` became). */
  readonly text: string;
  /** `r=<ratio>`: the model name in the results files. */
  readonly model: string;
  /** The config this ratio ran (path, or the config's name). */
  readonly pipeline: string;
  /** Per-question accuracy on the proxy set; null without one. */
  readonly instructionFollowing: number | null;
  readonly instructionFollowingCi95: Interval | null;
  readonly proxyQuestions: number;
  /** This ratio minus the baseline ratio (pair accuracy, points); absent for the baseline itself. */
  readonly comparison?: PairedComparison & { readonly baseline: string };
  readonly answers: readonly GradedAnswer[];
  readonly proxyAnswers: readonly GradedAnswer[];
}

/** What {@link runSweep} measured per ratio, the protocol it ran and the files it wrote. */
export interface SweepResult {
  readonly protocol: SweepProtocol;
  readonly ratios: readonly SweepRatioResult[];
  /** The model every other ratio is compared with: r=0 when swept, else the lowest ratio. */
  readonly baseline: string;
  readonly patterns: readonly string[];
  readonly images: number;
  readonly dataPath: string;
  readonly proxyPath?: string;
  /** What was resolved (encoders, adapters, decoders, ratios), one line each. */
  readonly resolved: readonly string[];
  readonly encoders: readonly EncoderIdentity[];
  readonly timings: readonly { stage: string; seconds: number }[];
  /** The documents written to (or for) the results folder. */
  readonly documents: SweepDocuments;
  /** Files written under `out` (empty without `out`). */
  readonly files: readonly string[];
}

interface RatioPlan {
  readonly ratio: SweepRatio;
  /** The model name in the results files. */
  readonly model: string;
  readonly config: PipelineConfig;
  readonly name: string;
}

const nameOf = (config: PipelineConfig, fallback: string) => config.configPath ?? config.name ?? fallback;

async function loadSource(source: PipelineSource, ratio: SweepRatio | undefined, label: string): Promise<PipelineConfig> {
  if (typeof source !== 'string') return source;
  const path = resolve(source);
  if (ratio !== undefined) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      throw new InvalidConfigError(`${label}: r=${ratio.text} has no config file: ${path} ${info === undefined ? 'does not exist' : 'is not a file'} (each swept ratio needs its own config)`);
    }
  }
  return loadPipelineConfig(path); // names the file when it is unreadable or invalid
}

function checkSweepable(config: PipelineConfig, name: string, ratio: SweepRatio | undefined): void {
  if (config.decoder === undefined) throw new InvalidConfigError(`${name} has no 'decoder' section; the sweep answers questions`);
  if (config.adapters.additive === undefined || config.encoders.clip === undefined || config.encoders.dino === undefined) {
    throw new InvalidConfigError(`${name}: a sweep needs encoders.clip, encoders.dino and adapters.additive (the A-MoF adapter)`);
  }
  if (ratio !== undefined && (config.strategy.name !== 'additive' || config.strategy.dinoRatio !== ratio.value)) {
    throw new InvalidConfigError(
      `${name} is the config for r=${ratio.text}, but its strategy is ${config.strategy.name}${config.strategy.dinoRatio === undefined ? '' : ` with dinoRatio ${config.strategy.dinoRatio}`}; ` +
        `a per-ratio config must be strategy 'additive' with dinoRatio ${ratio.value}`,
    );
  }
}

/**
 * The A-MoF ratio sweep (the paper's Table 3 ablation). Two protocols:
 * - **per-ratio** (`pipelineFor`, or a `pipeline` path with `{r}`): each ratio runs its own trained
 *   config (its adapter and LLM). All configs must share the encoders (same model files by SHA-256,
 *   same taps); each image is encoded ONCE with the first config's encoders, and every ratio's
 *   mixture, adapter and decoder run on those features. Answers equal separate runs of each config.
 * - **fixed-adapter** (`pipeline` without `{r}`): one pipeline; only the mixing ratio changes.
 * Everything is checked before a model is loaded (ratios, configs, encoders, question sets). Ratios
 * run one after another (one decoder in memory at a time); the encoder features of every image are
 * kept in memory meanwhile (images x tokens x (Dclip + Ddino) x 4 bytes). Each ratio's pair and
 * question accuracy carry 95% bootstrap intervals over pairs, and each ratio is compared with the
 * baseline (r = 0 when swept) by a paired bootstrap and McNemar's test. With `out`, the run holds
 * the folder's lock throughout and writes its files whole at the end.
 *
 * @example
 * ```ts
 * import { PAPER_RATIOS, runSweep } from '@mmvp/study';
 *
 * // per-ratio protocol: one trained model per ratio, `{r}` replaced by each ratio's text
 * const sweep = await runSweep({ pipeline: 'models/zoo/llava-amof-{r}/pipeline.json', ratios: PAPER_RATIOS, data: 'data/MMVP', out: 'runs/sweep' });
 * for (const r of sweep.ratios) console.log(r.model, r.pairAccuracy, r.pairAccuracyCi95);
 * ```
 */
export async function runSweep(input: SweepOptions): Promise<SweepResult> {
  const checkStarted = performance.now();
  const options = parseWithSchema(sweepOptionsSchema, input, 'sweep options');
  const onProgress = input.onProgress ?? (() => {});
  const signal = options.signal;
  const names = { pipeline: options.inputNames.pipeline ?? 'pipeline', data: options.inputNames.data ?? 'data', proxy: options.inputNames.proxy ?? 'proxy data' };
  const ratios = parseRatios(options.ratios, 'ratios');
  const modelNameOf = (ratio: SweepRatio) => input.modelName?.(ratio.value, ratio.text) ?? `r=${ratio.value}`;
  const modelNames = ratios.map(modelNameOf);
  const repeated = modelNames.find((name, index) => modelNames.indexOf(name) !== index);
  if (repeated !== undefined) throw new InvalidConfigError(`modelName gives '${repeated}' to two ratios; each ratio needs its own model name`);

  // 1. configs, checked before anything is loaded
  const template = typeof options.pipeline === 'string' && options.pipeline.includes('{r}') ? options.pipeline : undefined;
  const protocol: SweepProtocol = input.pipelineFor !== undefined || template !== undefined ? 'per-ratio' : 'fixed-adapter';
  const plans: RatioPlan[] = [];
  if (protocol === 'per-ratio') {
    for (const ratio of ratios) {
      const source = template !== undefined ? template.replaceAll('{r}', ratio.text) : await input.pipelineFor!(ratio.value, ratio.text);
      const config = await loadSource(source, ratio, template === undefined ? `${names.pipeline} (r => config)` : `${names.pipeline} ${template}`);
      const name = nameOf(config, `the config for r=${ratio.text}`);
      checkSweepable(config, name, ratio);
      plans.push({ ratio, config, name, model: modelNameOf(ratio) });
    }
  } else {
    const config = await loadSource(options.pipeline!, undefined, `${names.pipeline} ${typeof options.pipeline === 'string' ? options.pipeline : ''}`.trim());
    const name = nameOf(config, 'the pipeline config');
    checkSweepable(config, name, undefined);
    for (const ratio of ratios) plans.push({ ratio, config, name, model: modelNameOf(ratio) });
  }
  const hasher = createFolderHasher();
  const encoders = await checkSameEncoders(protocol === 'per-ratio' ? plans : plans.slice(0, 1), hasher);

  // 2. question sets, checked before anything is loaded
  const dataLabel = typeof options.data === 'string' ? `${names.data} ${options.data}` : names.data;
  const data = await loadSweepQuestions(options.data as string | SweepQuestionSet, {
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    label: typeof options.data === 'string' && names.data === 'data' ? '' : dataLabel,
  });
  const proxyOptions = options.proxy;
  const proxy =
    proxyOptions === undefined
      ? undefined
      : await loadSweepQuestions(proxyOptions.data as string | SweepQuestionSet, {
          ...(proxyOptions.limit === undefined ? {} : { limit: proxyOptions.limit }),
          label: typeof proxyOptions.data === 'string' ? `${names.proxy} ${proxyOptions.data}` : names.proxy,
        });
  const proxyQuestions = proxy?.questions ?? [];
  const checkSeconds = (performance.now() - checkStarted) / 1000;

  // the baseline of the paired comparisons: r = 0 (CLIP only) when swept, else the lowest ratio
  const baselineRatio = Math.min(...ratios.map((ratio) => ratio.value));
  // the run's identity: what must not change between a sweep and its --resume
  const identity = {
    protocol,
    ratios: ratios.map((ratio) => ratio.text).join(','),
    configs: fingerprint(plans.map((plan) => ({ ratio: plan.ratio.text, config: plan.config }))),
    encoders: fingerprint(encoders),
    data: fingerprint(data.questions.map((q) => [q.id, q.pairId, q.question, q.optionsText, q.answer, q.imagePath])),
    proxy: fingerprint(proxyQuestions.map((q) => [q.id, q.pairId, q.question, q.optionsText, q.answer, q.imagePath])),
    batchSize: String(options.batchSize),
    // every model file of every ratio (encoders, adapter weights, the LLM), as eval-mllm and pope hash them:
    // a checkpoint replaced in place at the same path is another run
    modelFiles: fingerprint(await Promise.all(plans.map(async (plan) => ({ ratio: plan.ratio.text, files: modelFilesSha256(await hashModelFiles(plan.config)) })))),
  };
  const run = async () => {
    const journal = options.out === undefined ? undefined : await openSweepJournal(resolve(options.out), identity, options.resume);
    if (journal !== undefined && journal.resumed > 0) onProgress({ type: 'resumed', journal: journal.path, answers: journal.resumed });
    if (options.queue !== undefined && journal !== undefined) {
      // distributed: workers answer every ratio x chunk; the journal then holds every answer and the sweep below only scores
      const queued = await sweepThroughQueue({
        settings: options.queue,
        out: resolve(options.out!),
        identity,
        protocol,
        plans,
        data: data.questions,
        proxyQuestions,
        batchSize: options.batchSize,
        journal,
        ...(signal === undefined ? {} : { signal }),
        onEvent: (event) => onProgress({ type: 'queue', event }),
      });
      onProgress({ type: 'queue-summary', line: queueSummaryLine(queued) });
    }
    const swept = await sweep({ protocol, plans, data: data.questions, proxyQuestions, batchSize: options.batchSize, baselineRatio, signal, onProgress, journal });
    const outcome = { ...swept, timings: [...swept.timings, { stage: 'check ratios, configs, encoders (sha256 of model files) and question sets', seconds: checkSeconds }] };
    const ratioResults = outcome.results;
    const baseline = ratioResults.find((result) => result.ratio === baselineRatio)!;
    const documents = sweepDocuments({
      protocol,
      ratios: ratioResults,
      baseline: baseline.model,
      patterns: outcome.patterns,
      plans: plans.map((plan) => ({ ratio: plan.ratio, name: plan.name, model: plan.model })),
      pipelineLabel: template ?? (protocol === 'per-ratio' ? `per-ratio configs (${plans.map((plan) => plan.name).join(', ')})` : plans[0]!.name),
      dataPath: data.path,
      proxy: proxy === undefined ? undefined : { path: proxy.path, questions: proxy.questions.length, name: proxyOptions?.name, description: proxyOptions?.description },
      images: outcome.images,
      encoders,
      timings: outcome.timings,
      command: options.command,
    });
    const files = options.out === undefined ? [] : await writeSweepFiles(resolve(options.out), documents);
    if (files.length > 0) onProgress({ type: 'written', files });
    const result: SweepResult = {
      protocol,
      ratios: ratioResults,
      baseline: baseline.model,
      patterns: outcome.patterns,
      images: outcome.images,
      dataPath: data.path,
      ...(proxy === undefined ? {} : { proxyPath: proxy.path }),
      resolved: outcome.resolved,
      encoders,
      timings: outcome.timings,
      documents,
      files,
    };
    return result;
  };
  return options.out === undefined ? run() : withRunFolderLock(resolve(options.out), 'sweep', run);
}

interface SweepWork {
  readonly protocol: SweepProtocol;
  readonly plans: readonly RatioPlan[];
  readonly data: readonly SweepQuestion[];
  readonly proxyQuestions: readonly SweepQuestion[];
  readonly batchSize: number;
  readonly baselineRatio: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: (event: SweepProgressEvent) => void;
  /** Answers already given (resume) and where new ones are recorded as each batch is decoded. */
  readonly journal: SweepJournal | undefined;
}

/** Encode once, then each ratio's mixture + adapter + decoder over the cached features. */
async function sweep(work: SweepWork): Promise<{ results: SweepRatioResult[]; patterns: string[]; images: number; resolved: string[]; timings: { stage: string; seconds: number }[] }> {
  const { protocol, plans, data, proxyQuestions, batchSize, baselineRatio, signal, onProgress, journal } = work;
  const signalOption = signal ? { signal } : {};
  const timings: { stage: string; seconds: number }[] = [];
  const seconds = { load: 0, mix: 0, decode: 0, score: 0 };
  const clock = () => performance.now();
  let started = clock();
  const first = await createVisualTokenizer(plans[0]!.config);
  const decoders: Decoder[] = [];
  const extraTokenizers: VisualTokenizer[] = [];
  try {
    const resolved = [
      `protocol: ${protocol === 'per-ratio' ? 'per-ratio (one trained model per ratio, as the paper; encoders shared and run once per image)' : 'fixed-adapter (one pipeline; only the mixing ratio changes)'}`,
      ...first.describe(),
      `ratios: ${plans.map((plan) => plan.ratio.text).join(', ')}`,
      ...(protocol === 'per-ratio' ? plans.map((plan) => `r=${plan.ratio.text}: ${plan.name}`) : [`decoder: ${plans[0]!.config.decoder!.modelPath}`]),
      `questions: ${data.length}${proxyQuestions.length > 0 ? `; instruction-following proxy: ${proxyQuestions.length}` : ''}`,
    ];
    onProgress({ type: 'resolved', protocol, lines: resolved });
    seconds.load += (clock() - started) / 1000;

    // images in order (data's, then the proxy's not already among them); each encoded ONCE
    const images = [...new Set([...data, ...proxyQuestions].map((question) => question.imagePath))];
    // every answer already in the journal (a distributed run's coordinator, or a finished sweep resumed): nothing to encode or load
    const allAnswered =
      journal !== undefined &&
      plans.every(
        (plan) =>
          data.every((question) => journal.answered(plan.ratio.text, 'data', question.id) !== undefined) && proxyQuestions.every((question) => journal.answered(plan.ratio.text, 'proxy', question.id) !== undefined),
      );
    const chunks: { images: string[]; features: MixtureFeatures | undefined }[] = [];
    started = clock();
    for (let start = 0; start < images.length; start += batchSize) {
      signal?.throwIfAborted();
      const chunk = images.slice(start, start + batchSize);
      chunks.push({ images: chunk, features: allAnswered ? undefined : await first.encode(chunk, signalOption) }); // [B, N, D] per encoder
      onProgress({ type: 'encoded', done: start + chunk.length, total: images.length });
    }
    timings.push({ stage: `encode ${images.length} images once`, seconds: (clock() - started) / 1000 });

    const byImage = new Map<string, { question: SweepQuestion; proxy: boolean }[]>();
    for (const [set, isProxy] of [
      [data, false],
      [proxyQuestions, true],
    ] as const) {
      for (const question of set) byImage.set(question.imagePath, [...(byImage.get(question.imagePath) ?? []), { question, proxy: isProxy }]);
    }
    const patterns = [...new Set(data.map((question) => question.pattern ?? 'all'))];
    const results: SweepRatioResult[] = [];
    let decoder: Decoder | undefined;
    for (const [index, plan] of plans.entries()) {
      signal?.throwIfAborted();
      onProgress({ type: 'ratio-started', ratio: plan.ratio.value, index, pipeline: plan.name });
      started = clock();
      let tokenizer = first;
      if (protocol === 'per-ratio' && index > 0 && !allAnswered) {
        tokenizer = await createVisualTokenizer(plan.config, { encoders: first.encoders }); // its own adapter; the shared encoders
        extraTokenizers.push(tokenizer);
      }
      if (!allAnswered && (protocol === 'per-ratio' || decoder === undefined)) {
        for (const old of decoders.splice(0)) await old.dispose();
        decoder = await loadDecoder({ modelPath: plan.config.decoder!.modelPath, executionProvider: plan.config.executionProvider });
        decoders.push(decoder);
      }
      seconds.load += (clock() - started) / 1000;
      const settings = plan.config.decoder!;
      const decoding = decodingOf(plan.config);
      const answers = new Map<number, { prompt: string; response: string }>();
      const proxyAnswers = new Map<number, { prompt: string; response: string }>();
      const total = data.length + proxyQuestions.length;
      let done = 0;
      for (const chunk of chunks) {
        signal?.throwIfAborted();
        // the chunk's questions; a chunk answered before (--resume) is taken from the journal whole
        const targets: { id: number; set: 'data' | 'proxy'; b: number; prompt: string; into: Map<number, { prompt: string; response: string }> }[] = [];
        for (const [b, image] of chunk.images.entries()) {
          for (const { question, proxy } of byImage.get(image) ?? []) {
            targets.push({ id: question.id, set: proxy ? 'proxy' : 'data', b, prompt: formatQuestion(question.question, question.optionsText, settings.prompt), into: proxy ? proxyAnswers : answers });
          }
        }
        const known = targets.map((target) => journal?.answered(plan.ratio.text, target.set, target.id));
        if (known.every((answer) => answer !== undefined)) {
          targets.forEach((target, k) => target.into.set(target.id, known[k]!));
          done += targets.length;
          onProgress({ type: 'answered', ratio: plan.ratio.value, done, total });
          continue;
        }
        const mixStarted = clock();
        const tokens = protocol === 'per-ratio' ? await tokenizer.mixture.mix(chunk.features!) : (await first.mixture.sweep(chunk.features!, [plan.ratio.value]))[0]!.tokens; // [B, N, H]
        assertFinite(tokens, `${plan.name}: visual tokens at r=${plan.ratio.text}`);
        seconds.mix += (clock() - mixStarted) / 1000;
        const imageTokens = new Map<number, Tensor>();
        const tokensOf = (b: number) => imageTokens.get(b) ?? imageTokens.set(b, batchRow(tokens, b)).get(b)!; // [N, H]
        const prompts = targets.map((target) => ({ text: decoder!.applyTemplate(settings.template, target.prompt), visualTokens: tokensOf(target.b) }));
        const decodeStarted = clock();
        const decoded: JournalAnswer[] = [];
        for (let start = 0; start < prompts.length; start += batchSize) {
          const generations = await decoder!.generate({ prompts: prompts.slice(start, start + batchSize), maxNewTokens: settings.maxNewTokens, decoding, ...signalOption });
          generations.forEach((generation, k) => {
            const target = targets[start + k]!;
            target.into.set(target.id, { prompt: target.prompt, response: generation.text });
            decoded.push({ ratio: plan.ratio.text, set: target.set, id: target.id, prompt: target.prompt, response: generation.text });
          });
        }
        await journal?.record(decoded);
        seconds.decode += (clock() - decodeStarted) / 1000;
        done += prompts.length;
        onProgress({ type: 'answered', ratio: plan.ratio.value, done, total });
      }
      const scoreStarted = clock();
      const graded = gradeAnswers(data, answers);
      const proxyGraded = gradeAnswers(proxyQuestions, proxyAnswers);
      const proxyScore = proxyGraded.length === 0 ? undefined : scoreProxy(proxyGraded);
      const baseline = results.find((earlier) => earlier.ratio === baselineRatio);
      const compared = (answered: readonly GradedAnswer[], against: SweepRatioResult) => ({ ...compareToBaseline(against.answers, answered), baseline: against.model });
      const result: SweepRatioResult = {
        ...(baseline === undefined ? {} : { comparison: compared(graded, baseline) }),
        ratio: plan.ratio.value,
        text: plan.ratio.text,
        model: plan.model,
        pipeline: plan.name,
        ...scoreRatio(graded, patterns),
        instructionFollowing: proxyScore?.accuracy ?? null,
        instructionFollowingCi95: proxyScore?.ci95 ?? null,
        proxyQuestions: proxyGraded.length,
        answers: graded,
        proxyAnswers: proxyGraded,
      };
      if (plan.ratio.value === baselineRatio) {
        // ratios listed before the baseline get their comparison now
        for (const [k, earlier] of results.entries()) results[k] = { ...earlier, comparison: compared(earlier.answers, result) };
      }
      results.push(result);
      seconds.score += (clock() - scoreStarted) / 1000;
      onProgress({ type: 'ratio-finished', result });
      if (tokenizer !== first) {
        extraTokenizers.pop();
        await tokenizer.dispose();
      }
    }
    timings.push(
      { stage: protocol === 'per-ratio' ? `load ${plans.length} adapters and decoders` : 'load the pipeline', seconds: seconds.load },
      { stage: `mix + adapt at ${plans.length} ratios`, seconds: seconds.mix },
      { stage: 'decode', seconds: seconds.decode },
      { stage: 'grade and score (bootstrap intervals, paired comparisons)', seconds: seconds.score },
    );
    return { results: holmAdjustFamily(results), patterns, images: images.length, resolved, timings };
  } finally {
    for (const tokenizer of extraTokenizers) await tokenizer.dispose().catch(() => undefined);
    for (const decoder of decoders) await decoder.dispose().catch(() => undefined);
    await first.dispose();
  }
}

/** Every ratio against the baseline is one family: Holm-adjusted McNemar p-values, and `resolved` rests on them. */
function holmAdjustFamily(results: SweepRatioResult[]): SweepRatioResult[] {
  const compared = results.filter((result) => result.comparison !== undefined);
  const adjusted = holmAdjustComparisons(compared.map((result) => result.comparison!));
  return results.map((result) => (result.comparison === undefined ? result : { ...result, comparison: adjusted[compared.indexOf(result)]! }));
}
