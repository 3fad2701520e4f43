import { createHash } from 'node:crypto';

/** LLaVA's POPE instruction (model_vqa_loader with the llava_pope_test questions). */
export const POPE_INSTRUCTION = 'Answer the question using a single word or phrase.';

/** The question a POPE item is asked as: its text plus LLaVA's instruction (once). */
export function popeQuestionText(text: string): string {
  return text.includes(POPE_INSTRUCTION) ? text : `${text}\n${POPE_INSTRUCTION}`;
}

/**
 * One pope-answers.jsonl record (LLaVA's answer fields plus ours): the one-process run and a queue
 * worker both build it here, so a distributed run writes the same bytes.
 */
export function popeAnswerRecord(options: {
  readonly item: { readonly split: string; readonly questionId: string; readonly label: string; readonly image: string };
  readonly answer: { readonly text: string; readonly prompt: string };
  readonly modelId: string;
  readonly runIdentity: string;
}): Record<string, unknown> {
  const { item, answer } = options;
  return {
    question_id: /^\d+$/.test(item.questionId) ? Number(item.questionId) : item.questionId,
    prompt: answer.prompt,
    text: answer.text,
    answer_id: createHash('sha256').update(`${options.modelId}\n${item.split}:${item.questionId}\n${answer.text}`).digest('base64url').slice(0, 22),
    model_id: options.modelId,
    metadata: {},
    category: item.split,
    label: item.label,
    image: item.image,
    run_identity: options.runIdentity,
  };
}
