import { askThroughEndpoint } from '@mmvp/study';
import type { AskOptions } from '../schemas/ask-options';

/** `mmvp ask --endpoint URL --endpoint-model NAME`: one answer from an endpoint model; what was sent to stderr, the answer (or --json) to stdout. */
export async function askEndpointCommand(options: AskOptions & { endpoint: NonNullable<AskOptions['endpoint']> }, json: boolean): Promise<void> {
  const { endpoint, image, question, prompt } = options;
  const result = await askThroughEndpoint({ endpoint, image, question, ...(options.options === undefined ? {} : { options: options.options }), ...(prompt === undefined ? {} : { prompt }) });
  const { reply } = result;
  process.stderr.write(
    `endpoint ${result.endpoint}, model ${result.model}: ${reply.outcome} in ${result.latencyMs} ms${reply.usage ? ` (${reply.usage.promptTokens} prompt + ${reply.usage.completionTokens} completion tokens)` : ''}\n`,
  );
  if (json) {
    const document = {
      endpoint: result.endpoint,
      model: result.model,
      image,
      question,
      options: options.options ?? null,
      prompt: result.prompt,
      response: reply.text,
      outcome: reply.outcome,
      refusal: reply.refusal ?? null,
      finishReason: reply.finishReason ?? null,
      usage: reply.usage ?? null,
      systemFingerprint: reply.systemFingerprint ?? null,
      latencyMs: result.latencyMs,
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    process.stdout.write(`${reply.outcome === 'answered' ? reply.text : `(${reply.outcome}${reply.refusal ? `: ${reply.refusal}` : ''})`}\n`);
  }
}
