import { join, resolve } from 'node:path';
import { MMVP_PATTERNS } from '@mmvp/core';
import { loadMmvpVlm } from '@mmvp/datasets';
import { resolveModelFolder } from '@mmvp/onnx';
import { contrastiveFamilyOf, contrastiveLogitParameters, contrastivePackages, createContrastiveTextEncoder, createContrastiveVisionEncoder, type ContrastiveFamily } from '../encoders/contrastive-family';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, binaryAccuracyWithInterval, evaluateMmvpVlm, meanOfGroupsWithInterval, type VlmPairRow } from '@mmvp/metrics';
import { packageVersion, packageVersions } from '../provenance/package-versions';
import { evaluateVlmOptionsSchema, type EvalVlmEvent, type EvaluateVlmOptions } from './evaluate-vlm-options';
import { workflowEmitter } from '../runner/workflow-events';
import { vlmPairsCsv, vlmScoresMarkdown } from './vlm-outputs';
import type { VlmPatternResult, VlmScoresDocument } from './vlm-scores-document';
import { sha256File, withRunFolderLock, workflowFileNames, writeFileAtomic } from '@mmvp/results';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';

/** evaluateVlm's result: the scores document, the scored pairs, the Table 1 row, and the files written (when `out` was given). */
export interface VlmEvaluationResult {
  readonly document: VlmScoresDocument;
  readonly rows: readonly VlmPairRow[];
  /** The paper's Table 1 layout, each score with its interval, plus a line on skipped pairs. */
  readonly markdown: string;
  readonly files?: { readonly json: string; readonly csv: string; readonly markdown: string };
}

const PROVENANCE_PACKAGES = ['@mmvp/study', '@mmvp/datasets', '@mmvp/metrics', '@mmvp/encoder-clip', '@mmvp/encoder-siglip', '@mmvp/image', '@mmvp/onnx', 'onnxruntime-node'];

const RULES: Readonly<Record<ContrastiveFamily, string>> = {
  clip: 'official scripts/evaluate_vlm.py: softmax over the two images per statement; statement 1 must pick image 1, statement 2 image 2 (ties to image 2); per pattern correct pairs / pairs x 100; average = mean over patterns',
  siglip:
    "official scripts/evaluate_vlm.py on SigLIP's logits (exp(logit_scale) x cos + logit_bias): softmax over the two images per statement, which picks the image with the larger sigmoid score (sigmoid is increasing; the bias cancels); statement 1 must pick image 1, statement 2 image 2 (ties to image 2); per pattern correct pairs / pairs x 100; average = mean over patterns",
};

/**
 * Scores a contrastive model folder (config.json model_type 'clip': CLIP and OpenCLIP conversions;
 * 'siglip': SigLIP, scored on its logits exp(logit_scale) x cos + logit_bias with the sigmoid scores in
 * every row) on an MMVP-VLM folder with the official rule (`evaluate_vlm.py`: softmax
 * over the pair's two images per statement, statement 1 must pick image 1 and statement 2 image 2,
 * ties to image 2), and bounds every score with a 95% bootstrap interval over pairs (per pattern: the
 * pattern's pairs; average: stratified by pattern). A pair whose image is missing or cannot be decoded
 * is left out and listed in `skippedPairs` (strict: the run fails instead). With `out`, writes
 * vlm-eval-scores.json, vlm-pairs.csv and vlm-scores.md there (vlm-scores.json and pairs.csv before 0.2), holding the folder's lock.
 * The options are checked first: a bad one is one InvalidArgumentError naming the key and the valid choices.
 *
 * @example
 * ```ts
 * import { evaluateVlm } from '@mmvp/study';
 *
 * // a Hugging Face CLIP export folder and the MMVP-VLM folder (Questions.csv + MMVP_VLM_Images/)
 * const result = await evaluateVlm({ model: 'models/clip-vit-large-patch14', data: 'data/MMVP_VLM', out: 'results/vlm' });
 * console.log(result.markdown); // the paper's Table 1 row, each score with its 95% interval
 * ```
 */
export async function evaluateVlm(options: EvaluateVlmOptions): Promise<VlmEvaluationResult> {
  const settings = parseWorkflowOptions('evaluateVlm', evaluateVlmOptionsSchema, options);
  if (settings.out === undefined) return run(settings);
  const out = settings.out;
  return withRunFolderLock(out, 'eval-vlm', async () => {
    const result = await run(settings);
    const files = { json: join(out, workflowFileNames.vlmEvaluation), csv: join(out, workflowFileNames.vlmPairs), markdown: join(out, 'vlm-scores.md') };
    await writeFileAtomic(files.csv, vlmPairsCsv(result.rows));
    await writeFileAtomic(files.markdown, result.markdown);
    await writeFileAtomic(files.json, `${JSON.stringify(result.document, null, 2)}\n`);
    return { ...result, files };
  });
}

async function run(settings: ReturnType<typeof evaluateVlmOptionsSchema.parse>): Promise<VlmEvaluationResult> {
  const emit = workflowEmitter<EvalVlmEvent>('eval-vlm', settings.onEvent);
  settings.abortSignal?.throwIfAborted();
  const data = await loadMmvpVlm(settings.data, { strict: settings.strict, onIssue: (issue) => emit({ type: 'issue', issue }) });
  const folder = await resolveModelFolder(settings.model);
  const family = contrastiveFamilyOf(folder.config, folder.configPath);
  const logits = await contrastiveLogitParameters(family, settings.model, settings.logitScale ?? 100);
  const logitScale = settings.logitScale ?? logits.logitScale; // an explicit logitScale wins (probabilities only)
  const encoderOptions = { modelPath: settings.model, executionProvider: settings.executionProvider, batchSize: settings.batchSize, cropRounding: settings.cropRounding };
  const vision = await createContrastiveVisionEncoder(family, encoderOptions);
  try {
    const text = await createContrastiveTextEncoder(family, encoderOptions);
    const packages = packageVersions(PROVENANCE_PACKAGES);
    const modelFiles = { vision: { path: vision.onnxPath, sha256: await sha256File(vision.onnxPath) }, text: { path: text.onnxPath, sha256: await sha256File(text.onnxPath) } };
    emit({
      type: 'resolved',
      family,
      encoderPackage: contrastivePackages[family],
      logitScale,
      logitBias: logits.logitBias,
      pairs: data.pairs.length,
      patterns: data.patterns.length,
      questionsFile: data.questionsFile,
      visionModel: vision.onnxPath,
      textModel: text.onnxPath,
      imageSize: vision.imageSize,
      executionProvider: settings.executionProvider,
      packages,
    });
    const evaluation = await evaluateMmvpVlm(data.pairs, {
      vision,
      text,
      logitScale,
      logitBias: logits.logitBias,
      sigmoidScores: family === 'siglip',
      pairsPerStep: Math.max(1, Math.floor(settings.batchSize / 2)),
      order: MMVP_PATTERNS,
      unreadableImages: settings.strict ? 'fail' : 'skip-pair',
      onProgress: (done, total) => emit({ type: 'progress', stage: 'pairs', done, total, startedAt: 0 }),
      ...(settings.abortSignal ? { signal: settings.abortSignal } : {}),
    });
    const unreadable = evaluation.skipped.map((pair) => ({ pairId: data.pairs[pair.index]!.position + 1, reason: pair.reason }));
    for (const pair of unreadable) emit({ type: 'skipped', ...pair });
    const skippedPairs = [...data.skippedPairs.map(({ pairId, reason }) => ({ pairId, reason })), ...unreadable].sort((a, b) => a.pairId - b.pairId);

    const outcomesOf = (pattern: string) => evaluation.rows.filter((row) => row.pattern === pattern).map((row) => row.correct);
    const perPattern = evaluation.perPattern.map((row): VlmPatternResult => ({ ...row, ci95: binaryAccuracyWithInterval(outcomesOf(row.pattern)).ci95 }));
    const noPairs = evaluation.rows.length === 0;
    const averageCi95 = noPairs ? ([0, 0] as const) : meanOfGroupsWithInterval(perPattern.map((row) => outcomesOf(row.pattern))).ci95;
    const overallCi95 = noPairs ? ([0, 0] as const) : binaryAccuracyWithInterval(evaluation.rows.map((row) => row.correct)).ci95;
    const document: VlmScoresDocument = {
      benchmark: 'MMVP-VLM',
      pairs: evaluation.rows.length,
      correctPairs: evaluation.rows.filter((row) => row.correct).length,
      perPattern,
      perPatternCi95: Object.fromEntries(perPattern.map((row) => [row.pattern, row.ci95])),
      average: evaluation.average,
      averageCi95,
      overall: evaluation.overall,
      overallCi95,
      interval: `95% percentile bootstrap over pairs (seed ${BOOTSTRAP_SEED}, ${BOOTSTRAP_RESAMPLES} resamples): per pattern over its pairs; average resampled within each pattern; skipped pairs are not in any denominator`,
      rule: RULES[family],
      prompt: `${evaluation.promptPrefix}<statement>`,
      family,
      logitScale: evaluation.logitScale,
      logitBias: evaluation.logitBias,
      skippedPairs,
      seconds: evaluation.seconds,
      imagesPerSecond: (2 * evaluation.rows.length) / evaluation.seconds.total,
      inputs: { data: resolve(settings.data), questions: { path: data.questionsFile, sha256: await sha256File(data.questionsFile) } },
      provenance: {
        tool: settings.tool ?? `@mmvp/study ${packageVersion('@mmvp/study')}`,
        packages,
        node: process.version,
        model: { folder: resolve(settings.model), files: modelFiles, imageSize: vision.imageSize, cropRounding: settings.cropRounding, executionProvider: settings.executionProvider },
        createdAt: new Date().toISOString(),
      },
    };
    return { document, rows: evaluation.rows, markdown: vlmScoresMarkdown(document, settings.model) };
  } finally {
    await vision.dispose();
  }
}
