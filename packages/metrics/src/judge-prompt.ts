/** A chat-completions message. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** The judge's system message, verbatim from the original `scripts/gpt_grader.py`. */
export const JUDGE_SYSTEM_MESSAGE = 'You are a helpful and precise assistant for checking the quality of the answer. Please answer in only yes or no.';

/** The original study's judge model and temperature (`gpt_grader.py`), recorded for provenance. */
export const ORIGINAL_JUDGE = { model: 'gpt-4-0314', temperature: 0.2 } as const;

/**
 * The judge messages exactly as the original grader builds them from an answers.jsonl line:
 * `Given the following question {prompt}, the correct answer is {answer}. Does the following answer
 * correctly answers the question, answer:{response}?` (its grammar and spacing kept on purpose: the
 * wording is part of the grader that produced the paper's numbers).
 */
export function buildJudgeMessages(item: { readonly prompt: string; readonly answer: string; readonly response: string }): ChatMessage[] {
  return [
    { role: 'system', content: JUDGE_SYSTEM_MESSAGE },
    {
      role: 'user',
      content: `Given the following question ${item.prompt}, the correct answer is ${item.answer}. Does the following answer correctly answers the question, answer:${item.response}?`,
    },
  ];
}

/**
 * Reads the judge's reply as the original does: the reply must be `yes` or `no` and nothing else
 * (case-insensitive); "Yes." or " yes" is neither. Only `yes` counts as correct.
 */
export function parseJudgeReply(reply: string): 'yes' | 'no' | 'undetermined' {
  const lower = reply.toLowerCase();
  if (lower === 'yes') return 'yes';
  if (lower === 'no') return 'no';
  return 'undetermined';
}
