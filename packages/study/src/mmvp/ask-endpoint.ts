import { QUESTION_STYLES, formatQuestion, type QuestionStyle } from '@mmvp/decoder';
import { createEndpointAnswerer, endpointConfigSchema, publicEndpointUrl, type ChatReply, type EndpointConfigInput } from '@mmvp/endpoint';
import { InvalidArgumentError } from '@mmvp/core';
import { z } from 'zod';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';

/** Options of {@link askThroughEndpoint}, checked with zod (unknown keys are refused). */
const askThroughEndpointOptionsSchema = z
  .object({
    /** The endpoint config without its `kind` (url, model, apiKeyEnv, ...). */
    endpoint: endpointConfigSchema.omit({ kind: true }),
    /** The image file, sent as a data URL of its own bytes. */
    image: z.string().min(1),
    question: z.string().min(1),
    /** The answer options text, e.g. `(a) Open (b) Closed`. */
    options: z.string().optional(),
    /** Question style (default: the endpoint config's, else 'original'). */
    prompt: z.enum(QUESTION_STYLES as [QuestionStyle, ...QuestionStyle[]]).optional(),
    abortSignal: z.custom<AbortSignal>((value) => value === undefined || value instanceof AbortSignal).optional(),
  })
  .strict();

/** One answer of an endpoint model to one question (`mmvp ask --endpoint`). */
export interface EndpointAskResult {
  /** The question as sent (the chosen style applied). */
  readonly prompt: string;
  readonly reply: ChatReply;
  readonly latencyMs: number;
  /** The endpoint URL without credentials. */
  readonly endpoint: string;
  readonly model: string;
}

/**
 * Asks a model behind an OpenAI-compatible endpoint one question about one image: the question in
 * the chosen style as the user message, the image as a data URL of the file's own bytes. No cache.
 * The key comes from the environment variable `apiKeyEnv` names ('none': no key). The options are checked
 * first, through the workflows' one validation path (an InvalidArgumentError naming the key).
 */
export async function askThroughEndpoint(options: {
  readonly endpoint: Omit<EndpointConfigInput, 'kind'>;
  readonly image: string;
  readonly question: string;
  readonly options?: string;
  readonly prompt?: QuestionStyle;
  /** Cancels the request in flight. */
  readonly abortSignal?: AbortSignal;
}): Promise<EndpointAskResult> {
  const config = { kind: 'endpoint' as const, ...parseWorkflowOptions('askThroughEndpoint', askThroughEndpointOptionsSchema, options).endpoint };
  let apiKey: string | undefined;
  if (config.apiKeyEnv !== 'none') {
    apiKey = process.env[config.apiKeyEnv];
    if (apiKey === undefined || apiKey === '')
      throw new InvalidArgumentError(`the environment variable ${config.apiKeyEnv} (named by --api-key-env) is not set; put the endpoint's API key there, or pass --api-key-env none`);
  }
  const prompt = formatQuestion(options.question, options.options, options.prompt ?? config.prompt ?? 'original');
  const answerer = await createEndpointAnswerer({ config, ...(apiKey === undefined ? {} : { apiKey }) });
  const answer = await answerer.ask({ image: options.image, text: prompt }, options.abortSignal === undefined ? {} : { signal: options.abortSignal });
  return { prompt, reply: answer.reply, latencyMs: answer.latencyMs, endpoint: publicEndpointUrl(config.url), model: config.model };
}
