import { resolve } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { loadDecoder, type Decoder } from '@mmvp/decoder';
import type { MixtureFeatures } from '@mmvp/mof';
import { createVisualTokenizer, type VisualTokenizer } from '@mmvp/pipeline';
import { hashModelFiles, modelFilesSha256 } from '../provenance/model-files';
import { commonFolder, jobPipeline } from '../queue/job-pipeline';
import { queueSummaryLine } from '../queue/queued-answers';
import type { JobPipeline } from '../runner/job-kind';
import { inProcessRunner } from '../runner/in-process-runner';
import { runShards } from '../runner/run-shards';
import { workflowEmitter, type Unstamped } from '../runner/workflow-events';
import { withRunFolderLock } from '@mmvp/results';
import { checkSameEncoders, createFolderHasher, type EncoderIdentity } from './encoder-identity';
import { parseRatios, type SweepRatio } from './ratios';
import { holmAdjustFamily, scoreSweepRatio } from './score-sweep';
import { resolveRatioPlans, type RatioPlan } from './sweep-configs';
import { loadSweepQuestions, type SweepQuestion, type SweepQuestionSet } from './sweep-data';
import { sweepJobKind, type SweepParts } from './sweep-job-kind';
import { fingerprint, memorySweepJournal, openSweepJournal, sortSweepJournal, type SweepJournal } from './sweep-journal';
import { sweepOnQueue } from './sweep-on-queue';
import { sweepOptionsSchema, type SweepEvent, type SweepOptions } from './sweep-options';
import { SWEEP_CHUNKS_PER_JOB, commitSweepLines, planSweep } from './sweep-plan';
import type { SweepProtocol, SweepRatioResult } from './sweep-results';
import { sweepDocuments, writeSweepFiles, type SweepDocuments } from './write-sweep-files';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';

export type { SweepProtocol, SweepRatioResult } from './sweep-results';
export { sweepOptionsSchema } from './sweep-options';
export type { SweepEvent, SweepOptions } from './sweep-options';

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

/**
 * The A-MoF ratio sweep (the paper's Table 3 ablation). Two protocols:
 * - **per-ratio** (`pipelineFor`, or a `pipeline` path with `{r}`): each ratio runs its own trained
 *   config (its adapter and LLM). All configs must share the encoders (same model files by SHA-256,
 *   same taps); each image is encoded ONCE with the first config's encoders, and every ratio's
 *   mixture, adapter and decoder run on those features. Answers equal separate runs of each config.
 * - **fixed-adapter** (`pipeline` without `{r}`): one pipeline; only the mixing ratio changes.
 * Everything is checked before a model is loaded (options first: a bad one is one InvalidArgumentError
 * naming the key; then ratios, configs, encoders, question sets). Ratios
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
  const options = parseWorkflowOptions('runSweep', sweepOptionsSchema, input);
  const emit = workflowEmitter<SweepEvent>('sweep', input.onEvent);
  const signal = options.abortSignal;
  const names = { pipeline: options.inputNames.pipeline ?? 'pipeline', data: options.inputNames.data ?? 'data', proxy: options.inputNames.proxy ?? 'proxy data' };
  const ratios = parseRatios(options.ratios, 'ratios');
  const modelNameOf = (ratio: SweepRatio) => input.modelName?.(ratio.value, ratio.text) ?? `r=${ratio.value}`;
  const modelNames = ratios.map(modelNameOf);
  const repeated = modelNames.find((name, index) => modelNames.indexOf(name) !== index);
  if (repeated !== undefined) throw new InvalidArgumentError(`runSweep: modelName gives '${repeated}' to two ratios; each ratio needs its own model name`);

  // 1. configs, checked before anything is loaded
  const { template, protocol, plans } = await resolveRatioPlans({ pipeline: options.pipeline, pipelineFor: input.pipelineFor, ratios, label: names.pipeline, modelNameOf });
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
    if (journal.path !== undefined && journal.resumed > 0) emit({ type: 'resumed', journal: journal.path, answers: journal.resumed });
    const work: SweepWork = { protocol, plans, pipelines, runIdentity, data: data.questions, proxyQuestions, batchSize: options.batchSize, baselineRatio, signal, emit, journal };
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
        ...(signal === undefined ? {} : { abortSignal: signal }),
        onEvent: emit,
      });
      emit({ type: 'queue-summary', line: queueSummaryLine(queued) });
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
    if (files.length > 0) emit({ type: 'written', files });
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
  readonly emit: (event: Unstamped<SweepEvent>) => void;
  /** Answers already given (resume, or a queue's workers) and where new ones are committed, shard by shard. */
  readonly journal: SweepJournal;
}

/**
 * The one-process sweep: the plan's shards (one ratio x one image chunk each) not in the journal run
 * through the sweep job kind (as a worker runs them) and are committed to the journal; each image is
 * encoded ONCE for every ratio (the features are kept by chunk). Then each ratio is scored from the journal.
 */
async function sweep(work: SweepWork): Promise<{ results: SweepRatioResult[]; patterns: string[]; images: number; resolved: string[]; timings: { stage: string; seconds: number }[] }> {
  const { protocol, plans, pipelines, data, proxyQuestions, batchSize, baselineRatio, signal, emit, journal } = work;
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
    emit({ type: 'resolved', protocol, ratios: plans.map((plan) => plan.ratio.text), lines: resolved });
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
      emit({ type: 'progress', stage: 'images', done: start + chunk.length, total: images.length, startedAt: 0 });
    }
    timings.push({ stage: `encode ${images.length} images once`, seconds: (clock() - started) / 1000 });
    const encodeOnce: SweepParts['tokenizer']['encode'] = async (sources, options) =>
      (sources.every((source) => typeof source === 'string') ? features.get(chunkKey(sources as readonly string[])) : undefined) ?? first.encode(sources, options);

    const patterns = [...new Set(data.map((question) => question.pattern ?? 'all'))];
    const results: SweepRatioResult[] = [];
    let decoder: Decoder | undefined;
    for (const [index, ratioPlan] of plans.entries()) {
      signal?.throwIfAborted();
      emit({ type: 'ratio-started', ratio: ratioPlan.ratio.value, index, pipeline: ratioPlan.name });
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
      if (answered > 0) emit({ type: 'answered', ratio: ratioPlan.ratio.value, done: answered, total });
      const answerStarted = clock();
      // the same plan, runShard and commit as the queue path (sweepOnQueue); here on this ratio's parts
      const parts: SweepParts = { tokenizer: { encode: encodeOnce, mixture: tokenizer.mixture }, decoder: decoder! };
      await runShards({
        definition: sweepJobKind,
        plan: {
          kind: 'sweep',
          runId: 'in-process',
          runIdentity: work.runIdentity,
          shards,
          keyOf: plan.keyOf,
          recordKeyOf: plan.recordKeyOf,
          done,
          jobData: (shard) => plan.jobData(shard, { runId: 'in-process', runIdentity: work.runIdentity, dataRoot, pipelines }),
          commit: async (lines) => {
            await commitSweepLines(journal, lines);
            answered += lines.length;
            emit({ type: 'answered', ratio: ratioPlan.ratio.value, done: answered, total });
          },
        },
        runner: inProcessRunner({ contextOf: () => ({ parts, dataRoot, modelsRoot: pipelines[index]!.modelsRoot, config: ratioPlan.config }) }),
        ...(signal === undefined ? {} : { abortSignal: signal }),
      });
      seconds.answer += (clock() - answerStarted) / 1000;

      const scoreStarted = clock();
      const result = scoreSweepRatio({ plan: ratioPlan, journal, data, proxyQuestions, patterns, baselineRatio, results });
      seconds.score += (clock() - scoreStarted) / 1000;
      emit({ type: 'ratio-finished', result });
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
