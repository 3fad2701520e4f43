import { extractChoiceDetailed, type ExtractedChoice, type ExtractionRule } from './extract-choice';
import type { LlmJudge } from './llm-judge';

/** What grading needs of a question (an `MmvpQuestion` of @mmvp/datasets fits). */
export interface GradableQuestion {
  readonly id: number;
  readonly pairId: number;
  readonly question: string;
  readonly optionsText: string;
  readonly options: readonly [string, string];
  /** The correct choice in the label set being used. */
  readonly answer: 'a' | 'b';
}

/** What grading needs of an answer (an `AnswerRecord` of @mmvp/datasets fits). */
export interface GradableAnswer {
  readonly questionId: number;
  /** The prompt the model saw; the judge gets it (the question + options when absent). */
  readonly prompt?: string;
  readonly response: string;
}

/** `rule`: extract the option (never a guess); `llm`: the original study's yes/no judge. */
export type Grader = { readonly kind: 'rule' } | { readonly kind: 'llm'; readonly judge: LlmJudge; readonly concurrency?: number };

/** One answer with its gold option, the extracted choice and whether it is correct. */
export interface GradedQuestion {
  readonly questionId: number;
  readonly pairId: number;
  readonly answer: 'a' | 'b';
  readonly response: string;
  readonly correct: boolean;
  /** Rule grader: the choice read and the rule that decided. */
  readonly extracted?: ExtractedChoice;
  readonly rule?: ExtractionRule;
  /** LLM judge: its verdict and reply, and whether it came from the cache. */
  readonly judgeVerdict?: 'yes' | 'no' | 'undetermined';
  readonly judgeReply?: string;
  readonly judgeCached?: boolean;
}

/**
 * Grades answers to MMVP questions, in the order given. The rule grader credits a response only when
 * the extracted choice is the correct one; the LLM judge only on an exact `yes`. Judge requests run
 * `concurrency` at a time (default 4); each reply is cached by the judge as it arrives, so an
 * interrupted grading resumes for free.
 */
export async function gradeAnswers(
  items: readonly { readonly question: GradableQuestion; readonly answer: GradableAnswer }[],
  grader: Grader,
  options: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<GradedQuestion[]> {
  const results: GradedQuestion[] = new Array(items.length);
  if (grader.kind === 'rule') {
    // Synchronous: nothing to wait for.
    items.forEach(({ question, answer }, index) => {
      const { choice, rule } = extractChoiceDetailed(answer.response, question.options, question.question);
      results[index] = { questionId: question.id, pairId: question.pairId, answer: question.answer, response: answer.response, correct: choice === question.answer, extracted: choice, rule };
      options.onProgress?.(index + 1, items.length);
    });
    return results;
  }
  const judge = grader.judge;
  let done = 0;
  const gradeOne = async (index: number) => {
    const { question, answer } = items[index]!;
    // No text (an endpoint's refusal, filtered or empty reply): undetermined, nothing to ask the judge.
    const verdict: Awaited<ReturnType<typeof judge.judge>> =
      answer.response.trim() === ''
        ? { verdict: 'undetermined', correct: false, reply: '', cached: false }
        : await judge.judge(
            { prompt: answer.prompt ?? `${question.question} ${question.optionsText}`, answer: `(${question.answer})`, response: answer.response },
            options.signal === undefined ? {} : { signal: options.signal },
          );
    results[index] = {
      questionId: question.id,
      pairId: question.pairId,
      answer: question.answer,
      response: answer.response,
      correct: verdict.correct,
      judgeVerdict: verdict.verdict,
      judgeReply: verdict.reply,
      judgeCached: verdict.cached,
    };
    done++;
    options.onProgress?.(done, items.length);
  };
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(grader.concurrency ?? 4, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      await gradeOne(index);
    }
  });
  await Promise.all(workers);
  return results;
}
