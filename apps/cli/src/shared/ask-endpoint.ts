import { askThroughEndpoint } from '@mmvp/study';
import type { QuestionStyle } from '@mmvp/decoder';
import { endpointFromFlags, type EndpointFlags } from './endpoint-flags';

/** `mmvp ask --endpoint URL --endpoint-model NAME`: one answer from an endpoint model; what was sent to stderr, the answer (or --json) to stdout. */
export async function askEndpointCommand(flags: EndpointFlags & { image: string; question: string; options?: string; prompt?: string; json?: boolean }): Promise<void> {
  const endpoint = endpointFromFlags(flags)!;
  const result = await askThroughEndpoint({
    endpoint,
    image: flags.image,
    question: flags.question,
    ...(flags.options === undefined ? {} : { options: flags.options }),
    ...(flags.prompt === undefined ? {} : { prompt: flags.prompt as QuestionStyle }),
  });
  const { reply } = result;
  process.stderr.write(
    `endpoint ${result.endpoint}, model ${result.model}: ${reply.outcome} in ${result.latencyMs} ms${reply.usage ? ` (${reply.usage.promptTokens} prompt + ${reply.usage.completionTokens} completion tokens)` : ''}\n`,
  );
  if (flags.json === true) {
    const document = {
      endpoint: result.endpoint,
      model: result.model,
      image: flags.image,
      question: flags.question,
      options: flags.options ?? null,
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
