import { InvalidArgumentError } from '@mmvp/core';
import type { EndpointConfigInput } from '@mmvp/endpoint';
import type { Command } from 'commander';
import { positiveIntegerOption } from './positive-integer-option';

/** The flags of a model behind an OpenAI-compatible endpoint (eval-mllm, pope, ask). */
export interface EndpointFlags {
  endpoint?: string;
  endpointModel?: string;
  apiKeyEnv: string;
  maxConcurrency: string;
  requestsPerMinute?: string;
  timeoutMs: string;
  maxRetries: string;
  endpointMaxTokens?: string;
  endpointSeed?: string;
}

/** Adds --endpoint, --endpoint-model, --api-key-env and the request limits to a command. */
export function addEndpointOptions(command: Command): Command {
  return command
    .option('--endpoint <url>', 'an OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1, https://api.openai.com/v1) answers instead of --pipeline')
    .option('--endpoint-model <name>', "the endpoint's model name (GET /v1/models lists them)")
    .option('--api-key-env <name>', "environment variable holding the endpoint's API key ('none': no key); the key is never written", 'OPENAI_API_KEY')
    .option('--max-concurrency <n>', 'endpoint requests in flight at once', '4')
    .option('--requests-per-minute <n>', 'at most this many endpoint requests started per minute')
    .option('--timeout-ms <n>', 'time limit of one endpoint request attempt', '120000')
    .option('--max-retries <n>', 'retries of an endpoint request on 429, 5xx, timeouts and dropped connections', '6')
    .option('--endpoint-max-tokens <n>', "max_tokens of each endpoint request (default: the server's)")
    .option('--endpoint-seed <n>', 'seed of each endpoint request (endpoints that honour it)');
}

/** The endpoint settings of the flags (greedy: temperature 0), or undefined without --endpoint. */
export function endpointFromFlags(flags: EndpointFlags): Omit<EndpointConfigInput, 'kind'> | undefined {
  if (flags.endpoint === undefined) {
    if (flags.endpointModel !== undefined) throw new InvalidArgumentError('--endpoint-model needs --endpoint URL');
    return undefined;
  }
  if (flags.endpointModel === undefined) throw new InvalidArgumentError('--endpoint needs --endpoint-model NAME (GET /v1/models on the endpoint lists them)');
  const seed = flags.endpointSeed === undefined ? undefined : Number(flags.endpointSeed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new InvalidArgumentError(`--endpoint-seed must be an integer, got '${flags.endpointSeed}'`);
  const maxRetries = Number(flags.maxRetries);
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new InvalidArgumentError(`--max-retries must be a whole number >= 0, got '${flags.maxRetries}'`);
  return {
    url: flags.endpoint,
    model: flags.endpointModel,
    apiKeyEnv: flags.apiKeyEnv,
    maxConcurrency: positiveIntegerOption('--max-concurrency', flags.maxConcurrency),
    ...(flags.requestsPerMinute === undefined ? {} : { requestsPerMinute: positiveIntegerOption('--requests-per-minute', flags.requestsPerMinute) }),
    timeoutMs: positiveIntegerOption('--timeout-ms', flags.timeoutMs),
    maxRetries,
    decoding: {
      temperature: 0,
      ...(flags.endpointMaxTokens === undefined ? {} : { maxTokens: positiveIntegerOption('--endpoint-max-tokens', flags.endpointMaxTokens) }),
      ...(seed === undefined ? {} : { seed }),
    },
  };
}
