import { z } from 'zod';
import { parseWithSchema } from '@mmvp/core';
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
  /** Retries on HTTP 429, 5xx and network errors (default 6). */
  readonly maxRetries?: number;
  /** First retry delay; doubles each retry, capped at 60 s; a Retry-After header wins (default 1000). */
  readonly retryBaseMs?: number;
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
    retryBaseMs: z.number().min(0).default(1000),
    timeoutMs: z.number().positive().default(120_000),
    fetch: z.function().optional(),
  })
  .strict();

/** Connection errors that retrying cannot fix (fetch's `cause.code`). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

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

const replySchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) });

/**
 * The LLM judge of the original study (`scripts/gpt_grader.py`): asks a chat model whether the
 * response answers the question correctly given the correct answer; only an exact `yes` counts.
 * Works with any OpenAI-compatible chat-completions endpoint. Every reply is cached on disk before
 * it is used, so re-running a grading costs nothing and an interrupted one resumes.
 */
export async function createLlmJudge(options: LlmJudgeOptions): Promise<LlmJudge> {
  const settings = parseWithSchema(optionsSchema, { ...options, apiKey: options.apiKey === undefined ? undefined : 'redacted' }, 'LLM judge options');
  const apiKey = options.apiKey;
  const fetchImplementation = options.fetch ?? globalThis.fetch;
  const endpoint = chatCompletionsUrl(settings.url);
  const cache = settings.cachePath === undefined ? undefined : await JudgeCache.open(settings.cachePath);
  const redact = (text: string) => (apiKey && apiKey.length > 0 ? text.split(apiKey).join('[key]') : text);
  let requestsSent = 0;

  async function send(body: string, signal: AbortSignal | undefined): Promise<string> {
    let lastProblem = '';
    let lastStatus: number | undefined;
    for (let attempt = 0; attempt <= settings.maxRetries; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        requestsSent++;
        const timeout = AbortSignal.timeout(settings.timeoutMs);
        const response = await fetchImplementation(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
          body,
          signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        });
        const text = await response.text();
        if (response.ok) {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch (cause) {
            throw new JudgeRequestError(`judge endpoint ${endpoint} answered with a body that is not JSON: ${redact(text.slice(0, 200))}`, { cause, status: response.status });
          }
          const parsed = replySchema.safeParse(json);
          if (!parsed.success) throw new JudgeRequestError(`judge endpoint ${endpoint} answered without choices[0].message.content: ${redact(text.slice(0, 200))}`, { status: response.status });
          return parsed.data.choices[0]!.message.content;
        }
        lastStatus = response.status;
        lastProblem = `HTTP ${response.status}: ${redact(text.slice(0, 300))}`;
        if (response.status !== 429 && response.status < 500) {
          throw new JudgeRequestError(`judge endpoint ${endpoint} refused the request (${lastProblem})`, { status: response.status });
        }
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (error) {
        if (JudgeRequestError.isInstance(error)) throw error;
        if (signal?.aborted) throw error;
        lastStatus = undefined;
        lastProblem = redact(describeFetchFailure(error));
        // Nothing listens there, or the host name does not exist: retrying will not help, say so now.
        if (UNREACHABLE_CODES.has(causeCode(error) ?? '')) {
          throw new JudgeRequestError(`judge endpoint ${endpoint} is unreachable (${lastProblem}); check --judge-url and that the server is running`, { cause: error });
        }
      }
      if (attempt === settings.maxRetries) break;
      const backoff = Math.min(60_000, settings.retryBaseMs * 2 ** attempt);
      await sleep(retryAfterMs === undefined ? backoff : Math.min(60_000, retryAfterMs), signal);
    }
    throw new JudgeRequestError(`judge endpoint ${endpoint} failed after ${settings.maxRetries + 1} attempt(s): ${lastProblem}`, lastStatus === undefined ? {} : { status: lastStatus });
  }

  return {
    model: settings.model,
    endpoint,
    temperature: settings.temperature,
    get requestsSent() {
      return requestsSent;
    },
    async judge(item, judgeOptions = {}) {
      const messages = buildJudgeMessages(item);
      const key = judgeCacheKey({ endpoint, model: settings.model, temperature: settings.temperature, messages });
      const known = cache?.get(key);
      if (known !== undefined) {
        const verdict = parseJudgeReply(known);
        return { verdict, correct: verdict === 'yes', reply: known, cached: true };
      }
      const body = JSON.stringify({ model: settings.model, messages, temperature: settings.temperature });
      const reply = await send(body, judgeOptions.signal);
      await cache?.set({ key, model: settings.model, reply });
      const verdict = parseJudgeReply(reply);
      return { verdict, correct: verdict === 'yes', reply, cached: false };
    },
  };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
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
