import { holmAdjustComparisons } from '@mmvp/metrics';
import { compareToBaseline, gradeAnswers, scoreProxy, scoreRatio, type GradedAnswer } from './score-ratio';
import type { SweepQuestion } from './sweep-data';
import type { SweepJournal } from './sweep-journal';
import type { SweepRatioResult } from './sweep-results';

// The sweep's finish: each ratio scored from the journal (whoever answered it: this process or workers).

/**
 * Grades and scores one ratio from the journal's answers, compares it with the baseline ratio (ratios
 * listed before the baseline get their comparison once it is scored), and appends it to `results`.
 */
export function scoreSweepRatio(input: {
  readonly plan: { readonly ratio: { readonly value: number; readonly text: string }; readonly model: string; readonly name: string };
  readonly journal: SweepJournal;
  readonly data: readonly SweepQuestion[];
  readonly proxyQuestions: readonly SweepQuestion[];
  readonly patterns: readonly string[];
  readonly baselineRatio: number;
  /** The ratios scored so far, in order (this one is appended). */
  readonly results: SweepRatioResult[];
}): SweepRatioResult {
  const { plan, journal, data, proxyQuestions, patterns, baselineRatio, results } = input;
  const answersOf = (questions: readonly SweepQuestion[], set: 'data' | 'proxy') =>
    new Map(
      questions.flatMap((question) => {
        const answer = journal.answered(plan.ratio.text, set, question.id);
        return answer === undefined ? [] : [[question.id, answer] as const];
      }),
    );
  const graded = gradeAnswers(data, answersOf(data, 'data'));
  const proxyGraded = gradeAnswers(proxyQuestions, answersOf(proxyQuestions, 'proxy'));
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
  return result;
}

/** Every ratio against the baseline is one family: Holm-adjusted McNemar p-values, and `resolved` rests on them. */
export function holmAdjustFamily(results: SweepRatioResult[]): SweepRatioResult[] {
  const compared = results.filter((result) => result.comparison !== undefined);
  const adjusted = holmAdjustComparisons(compared.map((result) => result.comparison!));
  return results.map((result) => (result.comparison === undefined ? result : { ...result, comparison: adjusted[compared.indexOf(result)]! }));
}
