import type { ChatReply } from './endpoint-client';

/**
 * The fields an endpoint answer adds to its answer record (answers.jsonl, pope-answers.jsonl): the
 * outcome, a refusal's text, the usage and the system fingerprint.
 */
export function endpointAnswerFields(reply: ChatReply): Record<string, unknown> {
  return {
    endpoint_outcome: reply.outcome,
    ...(reply.refusal === undefined ? {} : { refusal: reply.refusal }),
    ...(reply.usage === undefined ? {} : { usage: { prompt_tokens: reply.usage.promptTokens, completion_tokens: reply.usage.completionTokens, total_tokens: reply.usage.totalTokens } }),
    ...(reply.systemFingerprint === undefined ? {} : { system_fingerprint: reply.systemFingerprint }),
  };
}
