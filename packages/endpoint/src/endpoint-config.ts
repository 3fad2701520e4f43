import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseWithSchema } from '@mmvp/core';

/** Decoding settings sent with every request (`temperature`, `max_tokens`, `seed`); part of the run identity and the cache key. */
export const endpointDecodingSchema = z
  .object({
    /** 0 = greedy (the study's default); the OpenAI default of 1 is never left implicit. */
    temperature: z.number().min(0).max(2).default(0),
    /** `max_tokens`; omitted: the server's default (for `mmvp serve`, the pipeline config's maxNewTokens). */
    maxTokens: z.number().int().positive().optional(),
    /** `seed`, for endpoints that honour it. */
    seed: z.number().int().optional(),
  })
  .strict();

/** The decoding settings of an endpoint model (see {@link endpointDecodingSchema}). */
export type EndpointDecoding = z.output<typeof endpointDecodingSchema>;

/**
 * A pipeline config of kind `endpoint`: a model behind an OpenAI-compatible chat-completions
 * endpoint instead of ONNX files. Strict: unknown keys are errors.
 */
export const endpointConfigSchema = z
  .object({
    kind: z.literal('endpoint'),
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    /** Base URL of the API, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1`. */
    url: z.string().url(),
    /** The endpoint's model name (`model` of each request). */
    model: z.string().min(1),
    /** Environment variable holding the API key; 'none': send no key. The key itself is never in a config. */
    apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
    /** Requests in flight at once. */
    maxConcurrency: z.number().int().positive().default(4),
    /** Requests started per minute at most; omitted: no limit. */
    requestsPerMinute: z.number().positive().optional(),
    /** One attempt's time limit in milliseconds. */
    timeoutMs: z.number().int().positive().default(120_000),
    /** Retries of one request on 429, 5xx, timeouts, dropped connections and unreadable replies. */
    maxRetries: z.number().int().min(0).default(6),
    /** Optional system message sent before each question (none by default: the question is the only message). */
    system: z.string().min(1).optional(),
    /** Question style: 'original', 'lmms' or 'cambrian'; default: eval-mllm's. */
    prompt: z.enum(['original', 'lmms', 'cambrian']).optional(),
    decoding: endpointDecodingSchema.default({}),
  })
  .strict();

/** Caller input of {@link endpointConfigSchema} (defaults not yet applied). */
export type EndpointConfigInput = z.input<typeof endpointConfigSchema>;
/** A checked endpoint config, defaults applied. */
export type EndpointConfig = z.output<typeof endpointConfigSchema>;

/** Validates an endpoint config; `source` names it in errors (a file path, or 'flags'). */
export function parseEndpointConfig(value: unknown, source: string): EndpointConfig {
  return parseWithSchema(endpointConfigSchema, value, source);
}

/** Whether a parsed JSON document is an endpoint config (`"kind": "endpoint"`) rather than an ONNX pipeline config. */
function isEndpointConfigDocument(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'endpoint';
}

/**
 * Reads a config file and returns the endpoint config when it is one (`"kind": "endpoint"`), else
 * undefined (also for a file that cannot be read or parsed: the pipeline config loader reports that).
 */
export async function readEndpointConfigFile(path: string): Promise<EndpointConfig | undefined> {
  let json: unknown;
  try {
    json = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  return isEndpointConfigDocument(json) ? parseEndpointConfig(json, path) : undefined;
}
