import type { PromptStyle } from './mmvp-answer-record';

/** What eval-mllm needs of a pipeline (`Pipeline` of @mmvp/pipeline fits); a fake one in unit tests. */
export interface QuestionAnswerer {
  /** Answers one question about one image (greedy decoding in the real pipeline). */
  ask(
    request: { image: string; question: string; options?: string; prompt?: PromptStyle },
    options?: { signal?: AbortSignal },
  ): Promise<{ text: string; prompt: string; finishReason?: string; tokenIds?: readonly number[] }>;
}
