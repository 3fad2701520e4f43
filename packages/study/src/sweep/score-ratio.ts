import { accuracyWithIntervals, comparePairAccuracy, extractChoice, type GradedResult, type PairedComparison } from '@mmvp/metrics';
import type { SweepQuestion } from './sweep-data';

/** A 95% interval, [low, high]. */
export type Interval = readonly [number, number];

/** One answered question, graded by rule (option letter or option text). */
export interface GradedAnswer {
  readonly question: SweepQuestion;
  readonly prompt: string;
  readonly response: string;
  readonly choice: 'a' | 'b' | 'undetermined';
  readonly correct: boolean;
}

/** One ratio's MMVP scores with 95% Wilson intervals over pairs (percent). */
export interface RatioScores {
  readonly pairs: number;
  readonly questions: number;
  readonly pairAccuracy: number;
  readonly pairAccuracyCi95: Interval;
  readonly questionAccuracy: number;
  readonly questionAccuracyCi95: Interval;
  readonly perPattern: Readonly<Record<string, number>>;
  readonly perPatternCi95: Readonly<Record<string, Interval>>;
}

export function gradeAnswers(questions: readonly SweepQuestion[], answers: ReadonlyMap<number, { prompt: string; response: string }>): GradedAnswer[] {
  return questions.map((question) => {
    const answer = answers.get(question.id) ?? { prompt: '', response: '' };
    const choice = extractChoice(answer.response, question.options);
    return { question, prompt: answer.prompt, response: answer.response, choice, correct: choice === question.answer };
  });
}

function toResults(graded: readonly GradedAnswer[]): (GradedResult & { pattern: string })[] {
  return graded.map((g) => ({ questionId: g.question.id, pairId: g.question.pairId, correct: g.correct, pattern: g.question.pattern ?? 'all' }));
}

/** Pair and question accuracy, overall and per pattern, each with its 95% interval (Wilson over pairs). */
export function scoreRatio(graded: readonly GradedAnswer[], patterns: readonly string[]): RatioScores {
  const results = toResults(graded);
  const overall = accuracyWithIntervals(results);
  const perPattern: Record<string, number> = {};
  const perPatternCi95: Record<string, Interval> = {};
  for (const pattern of patterns) {
    const scored = accuracyWithIntervals(results.filter((result) => result.pattern === pattern));
    perPattern[pattern] = scored.pairAccuracy;
    perPatternCi95[pattern] = scored.pairAccuracyCi95;
  }
  return {
    pairs: overall.pairs,
    questions: overall.questions,
    pairAccuracy: overall.pairAccuracy,
    pairAccuracyCi95: overall.pairAccuracyCi95,
    questionAccuracy: overall.questionAccuracy,
    questionAccuracyCi95: overall.questionAccuracyCi95,
    perPattern,
    perPatternCi95,
  };
}

/** Per-question accuracy of the instruction-following proxy set, with its interval (Wilson, pairs as clusters). */
export function scoreProxy(graded: readonly GradedAnswer[]): { accuracy: number; ci95: Interval; questions: number } {
  const scored = accuracyWithIntervals(toResults(graded));
  return { accuracy: scored.questionAccuracy, ci95: scored.questionAccuracyCi95, questions: scored.questions };
}

/** Paired comparison of a ratio against the baseline ratio (b minus a, points) over the same pairs. */
export function compareToBaseline(baseline: readonly GradedAnswer[], other: readonly GradedAnswer[]): PairedComparison {
  return comparePairAccuracy(toResults(baseline), toResults(other));
}
