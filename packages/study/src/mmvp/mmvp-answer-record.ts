import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import type { MmvpItem } from '@mmvp/datasets';
import type { QuestionStyle } from '@mmvp/decoder';

/** One of the decoder's question styles (`PROMPT_STYLES`): how a question is put to the model. */
export type PromptStyle = QuestionStyle;

/**
 * One answers.jsonl record of an MMVP question: the one-process run and a queue worker both build
 * it here, so a distributed run writes the same bytes.
 */
export function mmvpAnswerRecord(options: {
  readonly question: Pick<MmvpItem, 'id' | 'answer' | 'imagePath'>;
  readonly answer: { readonly text: string; readonly prompt: string; readonly finishReason?: string; readonly tokenIds?: readonly number[] };
  readonly modelId: string;
  readonly promptStyle: PromptStyle;
  readonly dataDir: string;
  readonly runIdentity: string;
}): Record<string, unknown> {
  const { question, answer, modelId } = options;
  return {
    question_id: question.id,
    prompt: answer.prompt,
    answer: `(${question.answer})`,
    response: answer.text,
    answer_id: createHash('sha256').update(`${modelId}\n${question.id}\n${answer.text}`).digest('base64url').slice(0, 22),
    model_id: modelId,
    prompt_style: options.promptStyle,
    image: relative(options.dataDir, question.imagePath),
    ...(answer.finishReason === undefined ? {} : { finish_reason: answer.finishReason }),
    ...(answer.tokenIds === undefined ? {} : { generated_tokens: answer.tokenIds.length }),
    run_identity: options.runIdentity,
  };
}
