import { relative } from 'node:path';
import { accuracyWithIntervals, pairAccuracy, patternTable, type GradedResult } from '@mmvp/metrics';
import { PATTERNS } from '@mmvp/synth';
import type { ModelAnswers } from './llava-runs';
import type { EvalSet } from './synth-eval-set';
import { answerRecord } from '../results/answer-record';
import type { AnswerRecord, MllmScores } from '@mmvp/results';

type Interval = readonly [number, number];
/** One tiny LLaVA model's MMVP-Synth scores (pairs, questions, per pattern) with intervals. */
export type MllmModelScores = MllmScores['models'][number];

/** One LLaVA configuration's scores, each with its 95% Wilson interval over pairs. */
export interface ModelScores {
  readonly entry: MllmModelScores;
  /** Graded questions with their pattern (for comparisons and the correlation). */
  readonly results: readonly (GradedResult & { pattern: string })[];
  /** Caption-question accuracy (instruction-following proxy), per question, interval over pairs. */
  readonly instructionFollowing: number;
  readonly instructionFollowingCi95: Interval;
  /** The answers.jsonl lines of this model. */
  readonly records: readonly AnswerRecord[];
}

const mutable = (ci: Interval): [number, number] => [ci[0], ci[1]];

/** Pair and question accuracy, per pattern and overall, with intervals; the proxy's accuracy; answers.jsonl records. */
export function scoreModel(answers: ModelAnswers, evalSet: EvalSet, out: string): ModelScores {
  const { model, graded } = answers;
  const patternOf = (id: number) => evalSet.rowInfo.get(id)?.pattern ?? 'unknown';
  const results = graded.map((g) => ({ questionId: g.question.id, pairId: g.question.pairId, correct: g.correct, pattern: patternOf(g.question.id) }));
  const overall = pairAccuracy(results);
  const intervals = accuracyWithIntervals(results);
  const table = patternTable(results, PATTERNS);
  const patternNames = [...PATTERNS] as string[];
  const perPattern = Object.fromEntries(patternNames.map((p) => [p, table.rows.find((row) => row.pattern === p)?.pairAccuracy ?? 0]));
  const perPatternCi95 = Object.fromEntries(
    patternNames.map((p) => {
      const mine = results.filter((result) => result.pattern === p);
      return [p, mine.length === 0 ? ([0, 0] as [number, number]) : mutable(accuracyWithIntervals(mine).pairAccuracyCi95)];
    }),
  );
  // the proxy asks one question per eval image: per-question accuracy, resampled over the same pairs
  const proxyResults = graded.map((g, i) => ({ questionId: g.question.id, pairId: g.question.pairId, correct: answers.proxyCorrect[i]! }));
  const proxy = accuracyWithIntervals(proxyResults);
  const records: AnswerRecord[] = graded.map((g) => answerRecord(model.name, g, patternOf(g.question.id), relative(out, g.question.imagePath)));
  return {
    entry: {
      name: model.name,
      strategy: model.strategy,
      ratio: model.ratio,
      pairs: overall.pairs,
      questions: overall.questions,
      pairAccuracy: overall.pairAccuracy,
      questionAccuracy: overall.questionAccuracy,
      perPattern,
      pairAccuracyCi95: mutable(intervals.pairAccuracyCi95),
      questionAccuracyCi95: mutable(intervals.questionAccuracyCi95),
      perPatternCi95,
    },
    results,
    instructionFollowing: (100 * answers.proxyCorrect.filter(Boolean).length) / answers.proxyCorrect.length,
    instructionFollowingCi95: proxy.questionAccuracyCi95,
    records,
  };
}
