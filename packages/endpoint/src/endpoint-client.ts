import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { EndpointRequestError } from './endpoint-request-error';
import type { EndpointDecoding } from './endpoint-config';
import { publicEndpointUrl } from './public-url';
import { createRequestLimiter } from './request-limiter';

/** Token counts as the endpoint reported them (`usage`), when it did. */
export interface EndpointUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** How a reply ended, for grading: `answered`, or one of the replies graded undetermined. */
export type ReplyOutcome = 'answered' | 'refused' | 'empty' | 'filtered';

/** One chat-completions reply, reduced to what the study records. */
export interface ChatReply {
  /** The assistant's text ('' for a refusal, an empty or a filtered reply). */
  readonly text: string;
  readonly outcome: ReplyOutcome;
  /** The refusal message when the endpoint returned one. */
  readonly refusal?: string;
  readonly finishReason?: string;
  readonly usage?: EndpointUsage;
  readonly systemFingerprint?: string;
  /** The model name the endpoint answered with. */
  readonly responseModel?: string;
}

/** The settings a client needs (an {@link EndpointConfig} fits). */
export interface EndpointClientSettings {
  readonly url: string;
  readonly model: string;
  readonly maxConcurrency: number;
  readonly requestsPerMinute?: number | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/** An OpenAI-compatible chat-completions client with a concurrency and rate limit and retries. */
export interface EndpointClient {
  /** The URL without credentials (safe to write into results). */
  readonly publicUrl: string;
  readonly model: string;
  /** One chat completion; retried as configured; throws {@link EndpointRequestError} when it fails for good. */
  chat(request: { messages: readonly ChatCompletionMessageParam[]; decoding: EndpointDecoding }, options?: { signal?: AbortSignal }): Promise<ChatReply>;
  /** HTTP attempts made so far (retries included). */
  readonly attempts: number;
}

/**
 * The one endpoint client of the toolkit, on the official `openai` package: it retries 429, 5xx,
 * timeouts and dropped connections with capped exponential backoff and jitter (0.5 s doubling to 8 s,
 * up to 25% jitter) and honours `Retry-After`; on top, replies that arrive but cannot be read (cut
 * JSON, no choices) are retried the same way. 401, 403 and 404 are fatal; other 4xx fail the one request.
 * `apiKey` is only sent as the bearer token; it is never logged or put into an error message.
 */
export function createEndpointClient(settings: EndpointClientSettings, options: { apiKey?: string; fetch?: typeof fetch } = {}): EndpointClient {
  const publicUrl = publicEndpointUrl(settings.url);
  let attempts = 0;
  const countingFetch: typeof fetch = (input, init) => {
    attempts++;
    return (options.fetch ?? globalThis.fetch)(input, init);
  };
  const client = new OpenAI({
    apiKey: options.apiKey ?? 'no-key',
    baseURL: settings.url.replace(/\/+$/, ''),
    maxRetries: settings.maxRetries,
    timeout: settings.timeoutMs,
    fetch: countingFetch,
    logLevel: 'off',
    ...(options.apiKey === undefined ? { defaultHeaders: { authorization: null } } : {}),
  });
  const limiter = createRequestLimiter({ maxConcurrency: settings.maxConcurrency, ...(settings.requestsPerMinute === undefined ? {} : { requestsPerMinute: settings.requestsPerMinute }) });
  const redact = (text: string) => (options.apiKey ? text.split(options.apiKey).join('[key]') : text);
  const where = `endpoint ${publicUrl} (model ${settings.model})`;

  async function once(body: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal | undefined): Promise<ChatReply> {
    const completion = await client.chat.completions.create(body, signal === undefined ? {} : { signal });
    const choice = completion?.choices?.[0];
    if (choice?.message === undefined) throw new UnreadableReply(`the reply has no choices[0].message`);
    const content = typeof choice.message.content === 'string' ? choice.message.content : '';
    const refusal = typeof choice.message.refusal === 'string' && choice.message.refusal !== '' ? choice.message.refusal : undefined;
    const outcome: ReplyOutcome = refusal !== undefined ? 'refused' : choice.finish_reason === 'content_filter' ? 'filtered' : content.trim() === '' ? 'empty' : 'answered';
    const usage = completion.usage;
    return {
      text: outcome === 'answered' ? content : '',
      outcome,
      ...(refusal === undefined ? {} : { refusal }),
      ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
      ...(usage ? { usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens } } : {}),
      ...(completion.system_fingerprint ? { systemFingerprint: completion.system_fingerprint } : {}),
      ...(completion.model ? { responseModel: completion.model } : {}),
    };
  }

  return {
    publicUrl,
    model: settings.model,
    get attempts() {
      return attempts;
    },
    chat(request, chatOptions = {}) {
      const signal = chatOptions.signal;
      const body: ChatCompletionCreateParamsNonStreaming = {
        model: settings.model,
        messages: [...request.messages],
        temperature: request.decoding.temperature,
        ...(request.decoding.maxTokens === undefined ? {} : { max_tokens: request.decoding.maxTokens }),
        ...(request.decoding.seed === undefined ? {} : { seed: request.decoding.seed }),
      };
      return limiter.run(async () => {
        let lastProblem = '';
        for (let attempt = 0; attempt <= settings.maxRetries; attempt++) {
          try {
            return await once(body, signal);
          } catch (error) {
            if (signal?.aborted) throw signal.reason ?? error;
            if (error instanceof OpenAI.APIError && error.status !== undefined) {
              const status = error.status;
              const fatal = status === 401 || status === 403 || status === 404;
              const hint =
                status === 401 || status === 403 ? '; check the key in the environment variable named by --api-key-env' : status === 404 ? '; check --endpoint and --endpoint-model (GET /v1/models lists the names)' : '';
              throw new EndpointRequestError(`${where} answered HTTP ${status}: ${redact(error.message).slice(0, 300)}${hint}`, { cause: error, status, fatal });
            }
            if (error instanceof OpenAI.APIError) {
              // connection errors and timeouts: the client already retried them
              throw new EndpointRequestError(`${where} failed after ${settings.maxRetries + 1} attempt(s): ${redact(error.message)}`, { cause: error });
            }
            lastProblem = redact((error as Error).message ?? String(error)).slice(0, 300);
          }
          if (attempt < settings.maxRetries) await sleep(backoffMs(attempt), signal);
        }
        throw new EndpointRequestError(`${where} sent no readable reply in ${settings.maxRetries + 1} attempt(s): ${lastProblem}`);
      }, signal);
    },
  };
}

/** A reply arrived but is not a chat completion (retried). */
class UnreadableReply extends Error {}

/** The openai client's schedule: 0.5 s doubling to at most 8 s, minus up to 25% jitter. */
function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
