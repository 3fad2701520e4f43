import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { InvalidArgumentError, ModelLoadError } from '@mmvp/core';
import { createClipTextEncoder, createClipVisionEncoder } from '@mmvp/encoder-clip';
import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
import { writeReport } from '@mmvp/report';
import { PATTERNS } from '@mmvp/synth';
import { mineEvalPool } from './blind-pairs';
import { parseDemoOptions, type DemoEvent, type RunDemoOptionsInput } from './demo-options';
import { workflowEmitter } from '../runner/workflow-events';
import { correlationWithInterval, demoComparisons, demoFindings, type CorrelationWithInterval, type DemoComparison, type DemoFindings } from './findings';
import { PROBE_CROP, PROBE_RENDER_SIZE, probeImages, runImageOnlyProbe, type ProbeResult } from './image-only-probe';
import { PROXY_QUESTION, answerWithModels, proxyQuestions } from './llava-runs';
import { scoreModel, type ModelScores } from './model-scores';
import { seedSummaries, writeSeedSummary, type SeedSummaries } from './seed-summaries';
import { scenesOfFindingOne } from './scenes-of-finding-one';
import { EVAL_IMAGE_SIZE, generateEvalSet } from './synth-eval-set';
import { scoreClipOnMmvpVlm, type VlmScoring } from './vlm-scoring';
import { blindThresholds, type BlindThresholds } from './zoo-thresholds';
import { appendAnswers, type BlindPair, type Sweep, withRunFolderLock, writeBlindPairs, writeMllmScores, writeRunInfo, writeSweep, writeVlmScores } from '@mmvp/results';

/** What runDemo measured: the files it wrote and the study's three findings with their intervals. */
export interface DemoResult {
  readonly out: string;
  readonly zoo: string;
  readonly thresholds: BlindThresholds;
  readonly vlm: { readonly clip: VlmScoring; readonly clipProbe: Omit<ProbeResult, 'originals'>; readonly sslProbe: Omit<ProbeResult, 'originals'> };
  readonly blindPairs: readonly BlindPair[];
  readonly models: readonly Omit<ModelScores, 'records' | 'results'>[];
  readonly comparisons: readonly DemoComparison[];
  /** Configurations run with several seeds: mean and spread over seeds, and seed-averaged paired comparisons. */
  readonly seeds: SeedSummaries;
  readonly correlation: CorrelationWithInterval | null;
  readonly findings: DemoFindings;
  readonly timings: readonly { stage: string; seconds: number }[];
  readonly seconds: number;
  /** report.html, when written. */
  readonly reportPath?: string;
}

const mutable = (ci: readonly [number, number]): [number, number] => [ci[0], ci[1]];
const mutableAll = (record: Record<string, readonly [number, number]>) => Object.fromEntries(Object.entries(record).map(([key, ci]) => [key, mutable(ci)]));

/**
 * The MMVP study in miniature on a trained tiny zoo: a fresh MMVP-Synth evaluation set, the tiny CLIP
 * on MMVP-VLM and an image-only probe of CLIP and the SSL model (finding 1), CLIP-blind pairs, the
 * tiny LLaVA configurations through the real pipeline (findings 2 and 3), every score with its 95%
 * bootstrap interval over pairs and the paired comparisons the findings state; writes the results
 * folder (and report.html) holding the folder's run lock.
 * The options are checked first, before the zoo is read or `out` is created: a bad one is one
 * InvalidArgumentError naming the key and the valid choices.
 *
 * @example
 * ```ts
 * import { runDemo } from '@mmvp/study';
 *
 * const demo = await runDemo({ zoo: 'models/zoo', out: 'mmvp-demo', seed: 2024 });
 * console.log(demo.findings.mixture.statement); // claims a difference only when its interval excludes 0
 * console.log(demo.reportPath); // mmvp-demo/report.html
 * ```
 */
export async function runDemo(input: RunDemoOptionsInput): Promise<DemoResult> {
  const options = parseDemoOptions(input);
  const signal = input.abortSignal;
  const emit = workflowEmitter<DemoEvent>('demo', input.onEvent);
  const out = resolve(options.out);
  const zoo = resolve(options.zoo);
  const info = await stat(out).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) throw new InvalidArgumentError(`--out ${out} is a file; give a folder path (it is created if missing)`);
  const models = options.selected;
  const clipFolder = join(zoo, 'tiny-clip');
  const sslFolder = join(zoo, 'tiny-ssl');
  for (const folder of [clipFolder, sslFolder, ...models.map((m) => join(zoo, m.name))]) {
    if (!existsSync(folder)) throw new ModelLoadError(`the zoo has no ${folder}; rebuild it with tools/zoo (see tools/zoo/README.md) or pass --zoo DIR`);
  }
  const thresholds = await blindThresholds(zoo, options);
  const { seed, pairsPerPattern } = options;

  return withRunFolderLock(out, 'demo', async () => {
    const started = performance.now();
    const timings: { stage: string; seconds: number }[] = [];
    let stageStart = performance.now();
    const stage = (name: string) => {
      const seconds = (performance.now() - stageStart) / 1000;
      timings.push({ stage: name, seconds });
      emit({ type: 'stage-done', stage: name, seconds });
      stageStart = performance.now();
    };
    emit({ type: 'resolved', zoo, out, models: models.map((m) => m.name), clipMin: thresholds.clipMin, dinoMax: thresholds.dinoMax, thresholdSource: thresholds.source });
    const patterns = [...PATTERNS] as string[];

    // 0. a fresh MMVP-Synth evaluation set (fixed seed; the zoo never saw it)
    const data = join(out, 'data');
    const evalSet = await generateEvalSet(data, seed, pairsPerPattern);
    // findings 2-3 may answer a larger set of the same seed: its first pairsPerPattern pairs of each pattern are finding 1's scenes
    const { llavaPairsPerPattern } = options;
    const llavaSet = llavaPairsPerPattern === pairsPerPattern ? evalSet : await generateEvalSet(join(out, 'data-llava'), seed, llavaPairsPerPattern);
    emit({
      type: 'eval-set',
      seed,
      pairsPerPattern,
      patterns: patterns.length,
      questions: evalSet.mmvp.questions.length,
      imageSize: EVAL_IMAGE_SIZE,
      ...(llavaSet === evalSet ? {} : { llava: { pairsPerPattern: llavaPairsPerPattern, questions: llavaSet.mmvp.questions.length } }),
    });
    stage('generate the evaluation set');

    // 1. finding 1: CLIP (text-image, MMVP-VLM rule) and image-only probes of CLIP and the SSL model
    signal?.throwIfAborted();
    const clipVision = await createClipVisionEncoder({ modelPath: clipFolder });
    const clipText = await createClipTextEncoder({ modelPath: clipFolder });
    const ssl = await createDinov2Encoder({ modelPath: sslFolder });
    let clip: VlmScoring;
    let clipProbe: ProbeResult;
    let sslProbe: ProbeResult;
    try {
      emit({ type: 'encoders', clip: clipFolder, ssl: sslFolder, clipImageSize: clipVision.imageSize });
      clip = await scoreClipOnMmvpVlm(evalSet.vlm, { vision: clipVision, text: clipText }, { signal, onProgress: (done, total) => emit({ type: 'progress', stage: 'vlm-pairs', done, total, startedAt: 0 }) });
      const images = probeImages(evalSet.vlm, seed, pairsPerPattern);
      clipProbe = await runImageOnlyProbe(clipVision, images, signal);
      sslProbe = await runImageOnlyProbe(ssl, images, signal);
    } finally {
      await Promise.all([clipVision.dispose(), ssl.dispose()]);
    }
    const vlmEntry = (name: string, kind: 'text-image' | 'image-only-probe', description: string, scores: VlmScoring | ProbeResult) => ({
      name,
      kind,
      description,
      pairsPerPattern,
      perPattern: scores.perPattern,
      average: scores.average,
      averageCi95: mutable(scores.averageCi95),
      perPatternCi95: mutableAll(scores.perPatternCi95),
    });
    await writeVlmScores(out, {
      patterns,
      models: [
        vlmEntry('tiny-clip', 'text-image', 'MMVP-VLM rule: "a photo of " + statement vs the two images', clip),
        vlmEntry(
          'tiny-clip (image-only probe)',
          'image-only-probe',
          `image_embeds; a shifted, zoomed second view of each scene (rendered at ${PROBE_RENDER_SIZE} px, ${PROBE_CROP} px crop holding the changed region) must be closer to its own image than to the pair's other image, for both images`,
          clipProbe,
        ),
        vlmEntry('tiny-ssl (image-only probe)', 'image-only-probe', 'pooler_output (CLS) of the DINOv2-style model, same image-to-image test', sslProbe),
      ],
    });
    emit({
      type: 'vlm-scores',
      clipAverage: clip.average,
      clipAverageCi95: clip.averageCi95,
      clipProbeAverage: clipProbe.average,
      clipProbeAverageCi95: clipProbe.averageCi95,
      sslProbeAverage: sslProbe.average,
      sslProbeAverageCi95: sslProbe.averageCi95,
    });
    const blind = mineEvalPool(evalSet, { clip: clipProbe.originals, ssl: sslProbe.originals }, thresholds, out);
    await writeBlindPairs(out, blind.pairs);
    emit({
      type: 'blind-pairs',
      found: blind.pairs.length,
      samePair: blind.pairs.filter((pair) => pair.pattern !== undefined).length,
      pool: blind.pool,
      clipMin: thresholds.clipMin,
      dinoMax: thresholds.dinoMax,
      thresholdSource: thresholds.source,
    });
    stage('finding 1: CLIP vs SSL per pattern, CLIP-blind pairs');

    // 2-3. the tiny LLaVA models through the real pipeline (encoders -> adapters -> mixture -> decoder)
    const proxy = proxyQuestions(llavaSet, seed);
    const scored: ModelScores[] = [];
    await writeFile(join(out, 'answers.jsonl'), '');
    await answerWithModels(zoo, models, llavaSet, proxy, {
      signal,
      onModel: async (answers) => {
        const scores = scoreModel(answers, llavaSet, out);
        scored.push(scores);
        await appendAnswers(out, scores.records);
        const { entry } = scores;
        emit({
          type: 'model-done',
          model: entry.name,
          pairAccuracy: entry.pairAccuracy,
          pairAccuracyCi95: entry.pairAccuracyCi95!,
          questionAccuracy: entry.questionAccuracy,
          questionAccuracyCi95: entry.questionAccuracyCi95!,
          instructionFollowing: scores.instructionFollowing,
          instructionFollowingCi95: scores.instructionFollowingCi95,
          seconds: answers.seconds,
        });
      },
    });
    const comparisons = demoComparisons(scored);
    const seeds = seedSummaries(models, scored);
    for (const summary of seeds.summaries)
      emit({ type: 'seeds', configuration: summary.configuration, seeds: summary.seeds.length, mean: summary.mean, sd: summary.sd, min: summary.min, max: summary.max, meanCi95: summary.meanCi95 });
    for (const c of seeds.comparisons)
      emit({
        type: 'seed-comparison',
        a: c.a,
        b: c.b,
        difference: c.difference,
        differenceCi95: c.differenceCi95,
        differenceCi95WithSeeds: c.differenceCi95WithSeeds,
        seedsToResolve: c.seedsToResolve,
        resolved: c.resolved,
      });
    if (seeds.summaries.length > 0) await writeSeedSummary(out, seeds);
    const clipOnly = scored.find((model) => model.entry.name === 'llava-clip');
    const correlation = clipOnly ? correlationWithInterval(patterns, clip, scenesOfFindingOne(clipOnly, llavaSet, pairsPerPattern, llavaPairsPerPattern)) : null;
    if (correlation) emit({ type: 'correlation', x: 'tiny-clip', y: 'llava-clip', pearson: correlation.pearson, pearsonCi95: correlation.pearsonCi95 });
    if (scored.length > 0) {
      await writeMllmScores(out, {
        patterns,
        models: scored.map((model) => model.entry),
        comparisons,
        correlations: correlation
          ? [
              {
                x: 'tiny-clip',
                y: 'llava-clip',
                pearson: correlation.pearson,
                pearsonCi95: correlation.pearsonCi95 ? mutable(correlation.pearsonCi95) : null,
                description:
                  'per-pattern MMVP-VLM score of the tiny CLIP vs MMVP pair accuracy of the CLIP-only tiny LLaVA; ' +
                  `interval: 95% bootstrap over pairs, resampled within each pattern with the same pairs for both series${llavaSet === evalSet ? '' : ` (the LLaVA model's first ${pairsPerPattern} pairs of each pattern of its ${llavaPairsPerPattern}: finding 1's scenes)`}${correlation.undefinedResamples > 0 ? ` (${correlation.undefinedResamples} resamples with a constant series left out)` : ''}`,
              },
            ]
          : [],
      });
    }
    const seedOf = new Map<string, number>(models.map((m) => [m.name, m.seed]));
    const additive = scored.filter((model) => model.entry.strategy === 'additive' && seedOf.get(model.entry.name) === 1); // the curve: one seed per ratio
    if (additive.length > 0) {
      const sweep: Sweep = {
        pipeline: `zoo A-MoF models (${zoo})`,
        proxy: {
          name: 'caption-question accuracy',
          description: `instruction-following proxy: per-question accuracy on "${PROXY_QUESTION}" with the scene's main object and another object as options, answerable from the coarse content any caption names (no fine visual detail needed)`,
        },
        points: additive.map((model) => ({
          model: model.entry.name,
          ratio: model.entry.ratio!,
          pairAccuracy: model.entry.pairAccuracy,
          instructionFollowing: model.instructionFollowing,
          pairAccuracyCi95: model.entry.pairAccuracyCi95!,
          instructionFollowingCi95: mutable(model.instructionFollowingCi95),
        })),
        references: scored
          .filter((model) => model.entry.strategy !== 'additive' && seedOf.get(model.entry.name) === 1)
          .map((model) => ({
            model: model.entry.name,
            strategy: model.entry.strategy,
            pairAccuracy: model.entry.pairAccuracy,
            instructionFollowing: model.instructionFollowing,
            pairAccuracyCi95: model.entry.pairAccuracyCi95!,
            instructionFollowingCi95: mutable(model.instructionFollowingCi95),
          })),
      };
      await writeSweep(out, sweep);
    }
    stage('findings 2-3: tiny LLaVA models on MMVP-Synth');

    await writeRunInfo(out, {
      format: 'mmvp-results/v1',
      title: 'mmvp demo: the MMVP study in miniature',
      createdAt: new Date().toISOString(),
      command:
        options.command ??
        `runDemo({ out: ${JSON.stringify(options.out)}, seed: ${seed}, pairsPerPattern: ${pairsPerPattern}${llavaSet === evalSet ? '' : `, llavaPairsPerPattern: ${llavaPairsPerPattern}`}${options.models ? `, models: ${JSON.stringify(options.models)}` : ''} })`,
      dataset: { name: 'MMVP-Synth (eval split, generated for this run)', path: relative(out, data), seed, pairsPerPattern },
      grading: { method: 'rule', labels: 'original' },
      models: [
        { name: 'tiny-clip', path: clipFolder, description: 'trained tiny CLIP (models/zoo/tiny-clip/README.md)' },
        { name: 'tiny-ssl', path: sslFolder, description: 'trained tiny DINOv2-style SSL model (models/zoo/tiny-ssl/README.md)' },
        ...models.map((m) => ({ name: m.name, path: join(zoo, m.name), description: `tiny LLaVA, ${m.strategy}${m.ratio === null ? '' : ` r=${m.ratio}`}` })),
      ],
      timings,
      notes: [
        ...(llavaSet === evalSet
          ? []
          : [
              `Findings 2-3 (the LLaVA models) answer their own MMVP-Synth set of ${llavaPairsPerPattern} pairs per pattern (${relative(out, llavaSet.folder)}, same seed; its first ${pairsPerPattern} pairs of each pattern are finding 1's scenes); finding 1 uses ${pairsPerPattern} pairs per pattern (${relative(out, data)}).`,
            ]),
        'Every number comes from running the shipped ONNX models through the TypeScript packages (encoders, adapters, mixture, decoder, metrics) on an evaluation set generated in this run; none is read from training outputs.',
        'Grading: option letter extracted by rule (@mmvp/metrics extractChoice); prompt: llava_v1 template with the lmms-eval multiple-choice prompt, greedy decoding.',
        `CLIP-blind thresholds: CLIP cosine > ${thresholds.clipMin}, SSL cosine < ${thresholds.dinoMax}, from ${thresholds.source} (the paper's 0.95 / 0.6 were set for ViT-L models; a tiny model's cosine scale differs).`,
        'Intervals: 95% percentile bootstrap over pairs (seed 2024, 10,000 resamples); comparisons: paired bootstrap of the difference over the same pairs plus an exact McNemar test, a difference is called resolved only when its interval excludes 0.',
      ],
    });
    const findings = demoFindings({ patterns, clip, clipProbe, sslProbe, blindPairs: blind.pairs, pool: blind.pool, models: scored, correlation, comparisons, seeds });
    let reportPath: string | undefined;
    if (options.report) {
      reportPath = await writeReport(out);
      stage('report');
      emit({ type: 'report', path: reportPath });
    }
    const strip = ({ originals: _originals, ...rest }: ProbeResult) => rest;
    return {
      out,
      zoo,
      thresholds,
      vlm: { clip, clipProbe: strip(clipProbe), sslProbe: strip(sslProbe) },
      blindPairs: blind.pairs,
      models: scored.map(({ records: _records, results: _results, ...rest }) => rest),
      comparisons,
      seeds,
      correlation,
      findings,
      timings,
      seconds: (performance.now() - started) / 1000,
      ...(reportPath !== undefined ? { reportPath } : {}),
    };
  });
}
