import type { AnswerRecord } from '@mmvp/results';

/** What any workflow knows of one graded MMVP answer. */
export interface GradedForRecord {
  readonly question: { readonly id: number; readonly question: string; readonly optionsText: string; readonly answer: 'a' | 'b' };
  readonly response: string;
  readonly prompt: string;
  readonly choice: 'a' | 'b' | 'undetermined';
  readonly correct: boolean;
}

/** One line of a results folder's answers.jsonl (the report's AnswerRecord) for a graded answer. */
export function answerRecord(model: string, graded: GradedForRecord, pattern: string, image?: string): AnswerRecord {
  return {
    model,
    question_id: graded.question.id,
    pattern,
    question: graded.question.question,
    options: graded.question.optionsText,
    answer: `(${graded.question.answer})`,
    response: graded.response,
    prompt: graded.prompt,
    choice: graded.choice,
    correct: graded.correct,
    ...(image === undefined ? {} : { image }),
  };
}
