import { z } from 'zod';
import { parseWithSchema } from '@mmvp/core';
import { EndpointRequestError, createEndpointClient } from '@mmvp/endpoint';
import { JudgeCache, judgeCacheKey } from './judge-cache';
import { JudgeRequestError } from './judge-request-error';
import { ORIGINAL_JUDGE, buildJudgeMessages, parseJudgeReply } from './judge-prompt';

/** Where the judge model is served, which model, sampling, retries and the optional cache file. */
export interface LlmJudgeOptions {
  /** An OpenAI-compatible endpoint: a base URL (`https://api.openai.com/v1`) or the full `.../chat/completions`. */
  readonly url: string;
  readonly model: string;
  /** Sent as `Authorization: Bearer <key>`; never logged, cached or written to results. */
  readonly apiKey?: string;
  /** JSONL file of cached replies; omitted: no cache. */
  readonly cachePath?: string;
  /** Default 0.2, as the original grader. */
  readonly temperature?: number;
  /** Retries on HTTP 429, 5xx, timeouts, dropped connections and cut replies (default 6), on the openai client's schedule (0.5 s doubling to 8 s, with jitter; Retry-After wins). */
  readonly maxRetries?: number;
  /** Per-request timeout (default 120 s). */
  readonly timeoutMs?: number;
  /** Injected for tests; default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** The judge's decision on one answer. */
export interface JudgeVerdict {
  /** `yes` only when the reply was exactly `yes` (case-insensitive). */
  readonly verdict: 'yes' | 'no' | 'undetermined';
  readonly correct: boolean;
  /** The judge's reply as received. */
  readonly reply: string;
  readonly cached: boolean;
}

/** Asks an OpenAI-compatible chat model whether a response answers a question correctly. */
export interface LlmJudge {
  readonly model: string;
  readonly endpoint: string;
  readonly temperature: number;
  /** Grades one answer: `prompt` (question + options), `answer` (e.g. `(a)`), `response` (model text). */
  judge(item: { prompt: string; answer: string; response: string }, options?: { signal?: AbortSignal }): Promise<JudgeVerdict>;
  /** Requests actually sent (cache hits excluded), for reporting what a run cost. */
  readonly requestsSent: number;
}

const optionsSchema = z
  .object({
    url: z.string().url(),
    model: z.string().min(1),
    apiKey: z.string().optional(),
    cachePath: z.string().optional(),
    temperature: z.number().min(0).max(2).default(ORIGINAL_JUDGE.temperature),
    maxRetries: z.number().int().min(0).default(6),
    timeoutMs: z.number().positive().default(120_000),
    fetch: z.function().optional(),
  })
  .strict();

/**
 * The chat-completions URL of a base URL (`.../v1` -> `.../v1/chat/completions`, a query kept after
 * the path); a URL that is not http(s) fails at once, not after retries.
 */
function chatCompletionsUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new JudgeRequestError(`judge URL '${url}' is not a URL; expected an OpenAI-compatible base URL such as https://api.openai.com/v1 (--judge-url)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new JudgeRequestError(`judge URL '${url}': scheme '${parsed.protocol.replace(/:$/, '')}' is not supported; expected http:// or https:// (--judge-url)`);
  }
  if (!/\/chat\/completions\/?$/.test(parsed.pathname)) parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/chat/completions`;
  return parsed.href;
}

/** The base URL the endpoint client appends `/chat/completions` to (a query stays a query). */
function baseUrlOf(chatCompletions: string): string {
  const parsed = new URL(chatCompletions);
  parsed.pathname = parsed.pathname.replace(/\/chat\/completions\/?$/, '');
  return parsed.href;
}

/**
 * The LLM judge of the original study (`scripts/gpt_grader.py`): asks a chat model whether the
 * response answers the question correctly given the correct answer; only an exact `yes` counts.
 * Works with any OpenAI-compatible chat-completions endpoint. Every reply is cached on disk before
 * it is used, so re-running a grading costs nothing and an interrupted one resumes.
 */
export async function createLlmJudge(options: LlmJudgeOptions): Promise<LlmJudge> {
  const settings = parseWithSchema(optionsSchema, { ...options, apiKey: options.apiKey === undefined ? undefined : 'redacted' }, 'LLM judge options');
  const apiKey = options.apiKey;
  const endpoint = chatCompletionsUrl(settings.url);
  const cache = settings.cachePath === undefined ? undefined : await JudgeCache.open(settings.cachePath);
  // The toolkit's one endpoint client (@mmvp/endpoint, on the openai package); concurrency is gradeAnswers' to set.
  const client = createEndpointClient(
    { url: baseUrlOf(endpoint), model: settings.model, maxConcurrency: Number.MAX_SAFE_INTEGER, timeoutMs: settings.timeoutMs, maxRetries: settings.maxRetries },
    { ...(apiKey === undefined ? {} : { apiKey }), ...(options.fetch === undefined ? {} : { fetch: options.fetch }), label: `judge endpoint ${endpoint}`, urlFlag: '--judge-url', keyFlag: '--judge-key-env' },
  );

  async function send(messages: ReturnType<typeof buildJudgeMessages>, signal: AbortSignal | undefined): Promise<string> {
    try {
      const reply = await client.chat({ messages, decoding: { temperature: settings.temperature } }, signal === undefined ? {} : { signal });
      return reply.refusal ?? reply.text;
    } catch (error) {
      if (!EndpointRequestError.isInstance(error)) throw error;
      const failure = error as EndpointRequestError;
      throw new JudgeRequestError(failure.message, { cause: failure, ...(failure.status === undefined ? {} : { status: failure.status }) });
    }
  }

  return {
    model: settings.model,
    endpoint,
    temperature: settings.temperature,
    get requestsSent() {
      return client.attempts;
    },
    async judge(item, judgeOptions = {}) {
      const messages = buildJudgeMessages(item);
      const key = judgeCacheKey({ endpoint, model: settings.model, temperature: settings.temperature, messages });
      const known = cache?.get(key);
      if (known !== undefined) {
        const verdict = parseJudgeReply(known);
        return { verdict, correct: verdict === 'yes', reply: known, cached: true };
      }
      const reply = await send(messages, judgeOptions.signal);
      await cache?.set({ key, model: settings.model, reply });
      const verdict = parseJudgeReply(reply);
      return { verdict, correct: verdict === 'yes', reply, cached: false };
    },
  };
}
