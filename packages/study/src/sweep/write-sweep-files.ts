import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { EncoderIdentity } from './encoder-identity';
import type { SweepRatio } from './ratios';
import type { GradedAnswer } from './score-ratio';
import type { SweepProtocol, SweepRatioResult } from './sweep-results';
import { answerRecord } from '../results/answer-record';
import { type AnswerRecord, appendAnswers, type MllmScores, type RunInfoInput, type Sweep, writeMllmScores, writeRunInfo, writeSweep } from '@mmvp/results';

/** What a sweep writes to its results folder (what `mmvp report` reads). */
export interface SweepDocuments {
  readonly mllmScores: MllmScores;
  readonly sweep: Sweep;
  readonly runInfo: RunInfoInput;
  readonly answers: readonly AnswerRecord[];
}

export interface SweepDocumentsInput {
  readonly protocol: SweepProtocol;
  readonly ratios: readonly SweepRatioResult[];
  readonly baseline: string;
  readonly patterns: readonly string[];
  readonly plans: readonly { ratio: SweepRatio; name: string; model: string }[];
  readonly pipelineLabel: string;
  readonly dataPath: string;
  readonly proxy: { path: string; questions: number; name?: string | undefined; description?: string | undefined } | undefined;
  readonly images: number;
  /** The shared encoders, for run.json's notes (model files by sha256). */
  readonly encoders?: readonly EncoderIdentity[];
  readonly timings: readonly { stage: string; seconds: number }[];
  readonly command: string | undefined;
}

const records = (model: string, graded: readonly GradedAnswer[]): AnswerRecord[] => graded.map((g) => answerRecord(model, g, g.question.pattern ?? 'all'));

/** The sweep's results as the report's documents (validated when written). */
export function sweepDocuments(input: SweepDocumentsInput): SweepDocuments {
  const { protocol, ratios, proxy } = input;
  const comparisons = ratios.flatMap((result) =>
    result.comparison === undefined
      ? []
      : [
          {
            a: result.comparison.baseline,
            b: result.model,
            pairs: result.comparison.pairs,
            difference: result.comparison.difference,
            differenceCi95: [...result.comparison.differenceCi95] as [number, number],
            onlyA: result.comparison.onlyA,
            onlyB: result.comparison.onlyB,
            mcnemarP: result.comparison.mcnemarP,
            ...(result.comparison.mcnemarPHolm === undefined ? {} : { mcnemarPHolm: result.comparison.mcnemarPHolm }),
            resolved: result.comparison.resolved,
            minimumDetectableDifference: result.comparison.minimumDetectableDifference,
            description: `MMVP pair accuracy of ${result.model} minus ${result.comparison.baseline} (paired bootstrap over the same pairs, 95%; exact McNemar, Holm-adjusted over every ratio against ${result.comparison.baseline}; resolved needs both)`,
          },
        ],
  );
  const mllmScores: MllmScores = {
    patterns: [...input.patterns],
    models: ratios.map((result) => ({
      name: result.model,
      strategy: 'additive' as const,
      ratio: result.ratio,
      pairs: result.pairs,
      questions: result.questions,
      pairAccuracy: result.pairAccuracy,
      questionAccuracy: result.questionAccuracy,
      perPattern: { ...result.perPattern },
      pairAccuracyCi95: [...result.pairAccuracyCi95] as [number, number],
      questionAccuracyCi95: [...result.questionAccuracyCi95] as [number, number],
      perPatternCi95: Object.fromEntries(Object.entries(result.perPatternCi95).map(([pattern, ci]) => [pattern, [...ci] as [number, number]])),
    })),
    comparisons,
    correlations: [],
  };
  const sweep: Sweep = {
    pipeline: input.pipelineLabel,
    protocol,
    proxy:
      proxy === undefined
        ? { name: 'instruction-following proxy', description: 'not measured by mmvp sweep (needs a second question set); the demo measures caption-question accuracy' }
        : {
            name: proxy.name ?? `proxy accuracy on ${basename(resolve(proxy.path))}`,
            description:
              proxy.description ??
              `instruction-following proxy: per-question accuracy (%) on the ${proxy.questions} questions of ${proxy.path} (--proxy-data), ` +
                `answered by the same pipeline at each ratio and graded like MMVP (option letter extracted by rule); its answers are in answers.jsonl as '<model> [proxy]'`,
          },
    points: ratios.map((result) => ({
      model: result.model,
      ratio: result.ratio,
      pairAccuracy: result.pairAccuracy,
      instructionFollowing: result.instructionFollowing,
      pairAccuracyCi95: [...result.pairAccuracyCi95] as [number, number],
      instructionFollowingCi95: result.instructionFollowingCi95 === null ? null : ([...result.instructionFollowingCi95] as [number, number]),
    })),
    references: [],
  };
  const perRatio = protocol === 'per-ratio';
  const runInfo: RunInfoInput = {
    format: 'mmvp-results/v1',
    title: `A-MoF sweep (${protocol}) of ${input.pipelineLabel}`,
    createdAt: new Date().toISOString(),
    ...(input.command === undefined ? {} : { command: input.command }),
    dataset: { name: 'MMVP', path: input.dataPath },
    grading: { method: 'rule', labels: 'original' },
    models: perRatio ? input.plans.map((plan) => ({ name: plan.model, path: plan.name })) : [{ name: 'pipeline', path: input.plans[0]!.name }],
    timings: input.timings.map((timing) => ({ ...timing })),
    notes: [
      perRatio
        ? `Protocol per-ratio (the paper's Table 3): each ratio ran its own trained config (adapter and LLM); the encoders are the same in every config (model files by sha256, taps) and ran once per image (${input.images} images).`
        : 'Protocol fixed-adapter: the adapter and decoder are fixed; only the mixing ratio changes (the paper trains one model per ratio: pass a config path with {r}).',
      `Intervals: 95% Wilson over pairs; comparisons: each ratio minus ${input.baseline}, paired bootstrap (10,000 resamples, seed 2024) + exact McNemar, Holm-adjusted over the ratios.`,
      ...(input.encoders ?? []).map(
        (encoder) =>
          `Encoder ${encoder.role}: ${encoder.use} ${encoder.model}, tap ${encoder.tap}, tokens ${encoder.tokens}; files ` +
          Object.entries(encoder.files)
            .map(([name, sha]) => `${name} sha256 ${sha}`)
            .join(', '),
      ),
      ...(proxy === undefined ? [] : [`Instruction-following proxy: per-question accuracy on ${proxy.questions} questions of ${proxy.path}.`]),
    ],
  };
  const answers = ratios.flatMap((result) => [...records(result.model, result.answers), ...records(`${result.model} [proxy]`, result.proxyAnswers)]);
  return { mllmScores, sweep, runInfo, answers };
}

/**
 * Writes the documents into `out`: each file is written (and validated) in a scratch folder inside
 * `out`, then renamed into place, so a failed run leaves no half-written file and a previous run's
 * files stay whole until replaced.
 */
export async function writeSweepFiles(out: string, documents: SweepDocuments): Promise<string[]> {
  const scratch = join(out, `.sweep-${process.pid}.tmp`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  try {
    const written = [await appendAnswers(scratch, documents.answers), await writeMllmScores(scratch, documents.mllmScores), await writeSweep(scratch, documents.sweep), await writeRunInfo(scratch, documents.runInfo)];
    const files: string[] = [];
    for (const path of written) {
      const target = join(out, basename(path));
      await rename(path, target);
      files.push(target);
    }
    return files;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
