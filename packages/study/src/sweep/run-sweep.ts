import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { InvalidConfigError, parseWithSchema } from '@mmvp/core';
import { loadDecoder, type Decoder } from '@mmvp/decoder';
import { holmAdjustComparisons } from '@mmvp/metrics';
import type { MixtureFeatures } from '@mmvp/mof';
import { createVisualTokenizer, loadPipelineConfig, type PipelineConfig, type VisualTokenizer } from '@mmvp/pipeline';
import { withRunFolderLock } from '../run-folder/run-folder-lock';
import type { JobPipeline } from '../runner/job-kind';
import { checkSameEncoders, createFolderHasher, type EncoderIdentity } from './encoder-identity';
import { parseRatios, type SweepRatio } from './ratios';
import { compareToBaseline, gradeAnswers, scoreProxy, scoreRatio, type GradedAnswer } from './score-ratio';
import { loadSweepQuestions, type SweepQuestion, type SweepQuestionSet } from './sweep-data';
import { hashModelFiles, modelFilesSha256 } from '../provenance/model-files';
import { fingerprint, memorySweepJournal, openSweepJournal, sortSweepJournal, type SweepJournal } from './sweep-journal';
import { sweepDocuments, writeSweepFiles, type SweepDocuments } from './write-sweep-files';
import { queueSettingsSchema } from '../queue/queue-settings';
import { commonFolder, jobPipeline } from '../queue/job-pipeline';
import { queueSummaryLine } from '../queue/queued-answers';
import type { CoordinatorEvent } from '../queue/coordinator';
import type { SweepProtocol, SweepRatioResult } from './sweep-results';
import { sweepJobKind, type SweepParts } from './sweep-job-kind';
import { SWEEP_CHUNKS_PER_JOB, commitSweepLines, planSweep } from './sweep-plan';
import { sweepOnQueue } from './sweep-on-queue';
import { runShardsInProcess } from './run-shards-in-process';

export type { SweepProtocol, SweepRatioResult } from './sweep-results';

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
  // every model file of every ratio (encoders, adapter weights, the LLM), as eval-mllm and pope hash them
  const modelFiles = await Promise.all(plans.map((plan) => hashModelFiles(plan.config)));
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
    modelFiles: fingerprint(plans.map((plan, index) => ({ ratio: plan.ratio.text, files: modelFilesSha256(modelFiles[index]!) }))),
  };
  const runIdentity = fingerprint(identity);
  // each ratio's job pipeline (config and model files): what a worker loads and checks, and what this process runs
  const pipelines = plans.map((plan, index) => jobPipeline(plan.config, modelFiles[index]!, modelFilesSha256(modelFiles[index]!)));
  const run = async () => {
    const journal = options.out === undefined ? memorySweepJournal() : await openSweepJournal(resolve(options.out), identity, options.resume);
    if (journal.path !== undefined && journal.resumed > 0) onProgress({ type: 'resumed', journal: journal.path, answers: journal.resumed });
    const work: SweepWork = { protocol, plans, pipelines, runIdentity, data: data.questions, proxyQuestions, batchSize: options.batchSize, baselineRatio, signal, onProgress, journal };
    if (options.queue !== undefined) {
      // distributed: workers answer every shard of the plan (ratio x run of image chunks); the journal then holds every answer and the sweep below only scores
      const chunksPerShard = options.queue.shardSize ?? SWEEP_CHUNKS_PER_JOB;
      const plan = planSweep({ ...work, chunksPerShard });
      const queued = await sweepOnQueue({
        settings: options.queue,
        out: resolve(options.out!),
        runIdentity,
        plan,
        chunksPerShard,
        pipelines,
        dataRoot: commonFolder(plan.images),
        journal,
        ...(signal === undefined ? {} : { signal }),
        onEvent: (event) => onProgress({ type: 'queue', event }),
      });
      onProgress({ type: 'queue-summary', line: queueSummaryLine(queued) });
    }
    const swept = await sweep(work);
    // the journal as an uninterrupted one-process sweep writes it (shards of a queue or a resumed run commit out of order)
    const order = planSweep({ ...work, chunksPerShard: 1 });
    await sortSweepJournal(journal, order.targets.map(order.keyOf));
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
  /** Each ratio's job pipeline, in the plans' order. */
  readonly pipelines: readonly JobPipeline[];
  readonly runIdentity: string;
  readonly data: readonly SweepQuestion[];
  readonly proxyQuestions: readonly SweepQuestion[];
  readonly batchSize: number;
  readonly baselineRatio: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: (event: SweepProgressEvent) => void;
  /** Answers already given (resume, or a queue's workers) and where new ones are committed, shard by shard. */
  readonly journal: SweepJournal;
}

/**
 * The one-process sweep: the plan's shards (one ratio x one image chunk each) not in the journal run
 * through the sweep job kind (as a worker runs them) and are committed to the journal; each image is
 * encoded ONCE for every ratio (the features are kept by chunk). Then each ratio is scored from the journal.
 */
async function sweep(work: SweepWork): Promise<{ results: SweepRatioResult[]; patterns: string[]; images: number; resolved: string[]; timings: { stage: string; seconds: number }[] }> {
  const { protocol, plans, pipelines, data, proxyQuestions, batchSize, baselineRatio, signal, onProgress, journal } = work;
  const signalOption = signal ? { signal } : {};
  const timings: { stage: string; seconds: number }[] = [];
  const seconds = { load: 0, answer: 0, score: 0 };
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

    // the plan: one shard per ratio x image chunk, so a chunk's answers are committed in one write (a kill loses at most one chunk)
    const plan = planSweep({ protocol, plans, data, proxyQuestions, batchSize, chunksPerShard: 1 });
    const { images } = plan;
    const dataRoot = commonFolder(images);
    const done = plan.doneIn(journal);
    const isDone = (shard: { readonly items: readonly Parameters<typeof plan.keyOf>[0][] }) => shard.items.every((target) => done.has(plan.keyOf(target)));
    // every answer already in the journal (a distributed run's coordinator, or a finished sweep resumed): nothing to encode or load
    const allAnswered = plan.shards.every(isDone);
    // images in order (data's, then the proxy's not already among them); each encoded ONCE, its features kept for every ratio
    const features = new Map<string, MixtureFeatures>();
    const chunkKey = (paths: readonly string[]) => paths.map((path) => resolve(path)).join('\n');
    started = clock();
    for (let start = 0; start < images.length && !allAnswered; start += batchSize) {
      signal?.throwIfAborted();
      const chunk = images.slice(start, start + batchSize);
      features.set(chunkKey(chunk), await first.encode(chunk, signalOption)); // [B, N, D] per encoder
      onProgress({ type: 'encoded', done: start + chunk.length, total: images.length });
    }
    timings.push({ stage: `encode ${images.length} images once`, seconds: (clock() - started) / 1000 });
    const encodeOnce: SweepParts['tokenizer']['encode'] = async (sources, options) =>
      (sources.every((source) => typeof source === 'string') ? features.get(chunkKey(sources as readonly string[])) : undefined) ?? first.encode(sources, options);

    const patterns = [...new Set(data.map((question) => question.pattern ?? 'all'))];
    const results: SweepRatioResult[] = [];
    let decoder: Decoder | undefined;
    for (const [index, ratioPlan] of plans.entries()) {
      signal?.throwIfAborted();
      onProgress({ type: 'ratio-started', ratio: ratioPlan.ratio.value, index, pipeline: ratioPlan.name });
      started = clock();
      const shards = plan.shards.filter((shard) => shard.items[0]!.ratioIndex === index);
      const pending = !shards.every(isDone);
      let tokenizer = first;
      if (protocol === 'per-ratio' && index > 0 && pending) {
        tokenizer = await createVisualTokenizer(ratioPlan.config, { encoders: first.encoders }); // its own adapter; the shared encoders
        extraTokenizers.push(tokenizer);
      }
      if (pending && (protocol === 'per-ratio' || decoder === undefined)) {
        for (const old of decoders.splice(0)) await old.dispose();
        decoder = await loadDecoder({ modelPath: ratioPlan.config.decoder!.modelPath, executionProvider: ratioPlan.config.executionProvider });
        decoders.push(decoder);
      }
      seconds.load += (clock() - started) / 1000;
      const total = data.length + proxyQuestions.length;
      let answered = shards.filter(isDone).reduce((sum, shard) => sum + shard.items.length, 0);
      if (answered > 0) onProgress({ type: 'answered', ratio: ratioPlan.ratio.value, done: answered, total });
      const answerStarted = clock();
      await runShardsInProcess({
        kind: sweepJobKind,
        shards,
        isDone,
        jobData: (shard) => plan.jobData(shard, { runId: 'in-process', runIdentity: work.runIdentity, dataRoot, pipelines }),
        contextOf: () => ({ parts: { tokenizer: { encode: encodeOnce, mixture: tokenizer.mixture }, decoder: decoder! }, dataRoot, modelsRoot: pipelines[index]!.modelsRoot, config: ratioPlan.config, ...signalOption }),
        commit: async (lines) => {
          await commitSweepLines(journal, lines);
          answered += lines.length;
          onProgress({ type: 'answered', ratio: ratioPlan.ratio.value, done: answered, total });
        },
        ...signalOption,
      });
      seconds.answer += (clock() - answerStarted) / 1000;

      const scoreStarted = clock();
      const answersOf = (questions: readonly SweepQuestion[], set: 'data' | 'proxy') =>
        new Map(
          questions.flatMap((question) => {
            const answer = journal.answered(ratioPlan.ratio.text, set, question.id);
            return answer === undefined ? [] : [[question.id, answer] as const];
          }),
        );
      const graded = gradeAnswers(data, answersOf(data, 'data'));
      const proxyGraded = gradeAnswers(proxyQuestions, answersOf(proxyQuestions, 'proxy'));
      const proxyScore = proxyGraded.length === 0 ? undefined : scoreProxy(proxyGraded);
      const baseline = results.find((earlier) => earlier.ratio === baselineRatio);
      const compared = (graded: readonly GradedAnswer[], against: SweepRatioResult) => ({ ...compareToBaseline(against.answers, graded), baseline: against.model });
      const result: SweepRatioResult = {
        ...(baseline === undefined ? {} : { comparison: compared(graded, baseline) }),
        ratio: ratioPlan.ratio.value,
        text: ratioPlan.ratio.text,
        model: ratioPlan.model,
        pipeline: ratioPlan.name,
        ...scoreRatio(graded, patterns),
        instructionFollowing: proxyScore?.accuracy ?? null,
        instructionFollowingCi95: proxyScore?.ci95 ?? null,
        proxyQuestions: proxyGraded.length,
        answers: graded,
        proxyAnswers: proxyGraded,
      };
      if (ratioPlan.ratio.value === baselineRatio) {
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
      { stage: `mix + adapt + decode at ${plans.length} ratios`, seconds: seconds.answer },
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
