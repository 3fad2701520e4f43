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

/** Connection errors that retrying cannot fix (fetch's `cause.code`): nothing listens there, or no such host. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

/** Where a request's RequestInit carries its `unreachable` controller to the shared fetch. */
const ATTEMPT = Symbol('mmvp endpoint attempt');

/** How errors name the endpoint and the flag that sets its URL (the LLM judge says `judge endpoint ...` and `--judge-url`). */
export interface EndpointClientLabels {
  readonly label?: string;
  readonly urlFlag?: string;
  readonly keyFlag?: string;
}

/**
 * The one endpoint client of the toolkit (study answers and the LLM judge), on the official `openai`
 * package: it retries 429, 5xx, timeouts and dropped connections with capped exponential backoff and
 * jitter (0.5 s doubling to 8 s, up to 25% jitter) and honours `Retry-After`; on top, replies whose
 * body cannot be read (cut JSON, a connection closed mid-body) are retried on the same schedule.
 * Fatal (no other request can succeed): 401, 403, 404 and an unreachable host (connection refused,
 * unknown name: one attempt). Other 4xx and a JSON reply without choices fail that one request.
 * `apiKey` is only sent as the bearer token; it never appears in an error message.
 */
export function createEndpointClient(settings: EndpointClientSettings, options: { apiKey?: string; fetch?: typeof fetch } & EndpointClientLabels = {}): EndpointClient {
  const publicUrl = publicEndpointUrl(settings.url);
  const baseFetch = options.fetch ?? globalThis.fetch;
  let attempts = 0;
  // A query in the URL (Azure's ?api-version=...) goes after the path on every request, not inside the base URL.
  const base = new URL(settings.url);
  const defaultQuery = Object.fromEntries(base.searchParams);
  base.search = '';
  // One client for every request (building one per request cost about as much as the request
  // itself); each request's fetch finds its own `unreachable` controller in its RequestInit, under
  // ATTEMPT (the openai client passes a request's fetchOptions on to fetch).
  const sharedFetch: typeof fetch = async (input, init) => {
    const { [ATTEMPT]: unreachable, ...rest } = (init ?? {}) as RequestInit & { [ATTEMPT]?: AbortController };
    attempts++;
    try {
      return await baseFetch(input, rest);
    } catch (error) {
      if (unreachable !== undefined && UNREACHABLE_CODES.has(causeCode(error) ?? '')) {
        unreachable.abort(new EndpointRequestError(`${where} is unreachable (${redact(describeFetchFailure(error))}); check ${urlFlag} and that the server is running`, { cause: error, fatal: true }));
      }
      throw error;
    }
  };
  const client = new OpenAI({
    fetch: sharedFetch,
    apiKey: options.apiKey ?? 'no-key',
    baseURL: base.href.replace(/\/+$/, ''),
    ...(Object.keys(defaultQuery).length === 0 ? {} : { defaultQuery }),
    maxRetries: settings.maxRetries,
    timeout: settings.timeoutMs,
    logLevel: 'off',
    ...(options.apiKey === undefined ? { defaultHeaders: { authorization: null } } : {}),
  });
  const limiter = createRequestLimiter({ maxConcurrency: settings.maxConcurrency, ...(settings.requestsPerMinute === undefined ? {} : { requestsPerMinute: settings.requestsPerMinute }) });
  const redact = (text: string) => (options.apiKey ? text.split(options.apiKey).join('[key]') : text);
  const where = options.label ?? `endpoint ${publicUrl} (model ${settings.model})`;
  const urlFlag = options.urlFlag ?? '--endpoint';
  const keyFlag = options.keyFlag ?? '--api-key-env';

  async function once(body: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal | undefined): Promise<ChatReply> {
    // This request's fetch stops the retries at once when nothing listens at the URL.
    const unreachable = new AbortController();
    const requestSignal = signal === undefined ? unreachable.signal : AbortSignal.any([signal, unreachable.signal]);
    let completion: Awaited<ReturnType<typeof client.chat.completions.create>>;
    try {
      completion = await client.chat.completions.create(body, { signal: requestSignal, fetchOptions: { [ATTEMPT]: unreachable } as NonNullable<OpenAI.RequestOptions['fetchOptions']> });
    } catch (error) {
      if (unreachable.signal.aborted) throw unreachable.signal.reason;
      throw error;
    }
    // A server that sends JSON without `content-type: application/json` gets its body as text: read it (a cut body is retried).
    if (typeof completion === 'string') completion = JSON.parse(completion) as typeof completion;
    const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
    if (choice?.message === undefined || choice.message === null) {
      throw new EndpointRequestError(`${where} answered without choices[0].message.content: ${redact(JSON.stringify(completion) ?? '').slice(0, 200)}`);
    }
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
            if (EndpointRequestError.isInstance(error)) throw error;
            if (error instanceof OpenAI.APIError && error.status !== undefined) {
              const status = error.status;
              const detail = redact(error.message.replace(/^\d{3}\s*/, '')).slice(0, 300);
              if (status === 429 || status >= 500) throw new EndpointRequestError(`${where} failed after ${settings.maxRetries + 1} attempt(s): HTTP ${status}: ${detail}`, { cause: error, status });
              const fatal = status === 401 || status === 403 || status === 404;
              const hint = status === 401 || status === 403 ? `; check the key in the environment variable named by ${keyFlag}` : status === 404 ? `; check ${urlFlag} and the model name (GET /v1/models lists them)` : '';
              throw new EndpointRequestError(`${where} refused the request (HTTP ${status}: ${detail})${hint}`, { cause: error, status, fatal });
            }
            if (error instanceof OpenAI.APIError) {
              // connection errors and timeouts: the openai client already retried them
              throw new EndpointRequestError(`${where} failed after ${settings.maxRetries + 1} attempt(s): ${redact(describeFetchFailure(error))}`, { cause: error });
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

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** `fetch failed` hides the reason in `cause`: `fetch failed: connect ECONNREFUSED 127.0.0.1:9`. */
function describeFetchFailure(error: unknown): string {
  const message = (error as Error).message;
  const cause = (error as { cause?: { message?: unknown; code?: unknown } }).cause;
  const detail = typeof cause?.message === 'string' ? cause.message : typeof cause?.code === 'string' ? cause.code : undefined;
  return detail === undefined || message.includes(detail) ? message : `${message}: ${detail}`;
}

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
