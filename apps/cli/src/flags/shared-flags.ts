import { z } from 'zod';
import { InvalidArgumentError } from '@mmvp/core';
import { endpointConfigSchema, type EndpointConfigInput } from '@mmvp/endpoint';
import type { QueueSettings } from '@mmvp/study';
import { parseRedisUrl, queueSettingsSchema } from '@mmvp/study/queue';
import { group, notAFlag, type FlagGroup, type FlagSpec, type NotAFlag } from './flag-table';

const queueTuning = notAFlag('retries, backoff and watch intervals keep their defaults on the command line');

/** `--queue URL [--queue-name NAME] [--shard-size N]`: a distributed run (eval-mllm, pope, sweep, mine). */
export function queueFlags(description: string, shardSize: FlagSpec | NotAFlag): FlagGroup<QueueSettings> {
  return group<QueueSettings>(
    {
      // the URL is checked before anything loads (parseRedisUrl names --queue)
      url: { flag: '--queue <url>', description, schema: z.string().refine((url) => parseRedisUrl(url) !== undefined) },
      queueName: { flag: '--queue-name <name>', description: 'BullMQ queue name with --queue (workers listen on the same)' },
      shardSize,
      attempts: queueTuning,
      backoffMs: queueTuning,
      unreachableTimeoutMs: queueTuning,
      noProgressWarningMs: queueTuning,
      pollIntervalMs: queueTuning,
    },
    { anchor: 'url', hint: "(a distributed run's jobs); remove it, or add --queue redis://HOST:PORT", schema: queueSettingsSchema },
  );
}

type EndpointOptions = Omit<EndpointConfigInput, 'kind'>;
const endpointConfigOnly = notAFlag('set in an endpoint config file (--pipeline with "kind": "endpoint")');

/** `--endpoint URL --endpoint-model NAME` and the request limits: a model behind an OpenAI-compatible API (eval-mllm, pope, ask). */
export const endpointFlags: FlagGroup<EndpointOptions> = group<EndpointOptions>(
  {
    url: { flag: '--endpoint <url>', description: 'an OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1, https://api.openai.com/v1) answers instead of --pipeline' },
    model: { flag: '--endpoint-model <name>', description: "the endpoint's model name (GET /v1/models lists them)" },
    apiKeyEnv: { flag: '--api-key-env <name>', description: "environment variable holding the endpoint's API key ('none': no key); the key is never written" },
    maxConcurrency: { flag: '--max-concurrency <n>', description: 'endpoint requests in flight at once' },
    requestsPerMinute: { flag: '--requests-per-minute <n>', description: 'at most this many endpoint requests started per minute' },
    timeoutMs: { flag: '--timeout-ms <n>', description: 'time limit of one endpoint request attempt' },
    maxRetries: { flag: '--max-retries <n>', description: 'retries of an endpoint request on 429, 5xx, timeouts and dropped connections' },
    decoding: group<NonNullable<EndpointOptions['decoding']>>({
      temperature: notAFlag('greedy (0), the study protocol'),
      maxTokens: { flag: '--endpoint-max-tokens <n>', description: "max_tokens of each endpoint request (default: the server's)" },
      seed: { flag: '--endpoint-seed <n>', description: 'seed of each endpoint request (endpoints that honour it)' },
    }),
    name: endpointConfigOnly,
    description: endpointConfigOnly,
    system: endpointConfigOnly,
    prompt: notAFlag('--prompt of the command sets the question style'),
  },
  { anchor: 'url', needs: ['model'], schema: endpointConfigSchema },
);

/** The `--pipeline CFG` or `--endpoint URL` rule of eval-mllm, pope and ask, in flag words. */
export function pipelineOrEndpoint(options: { pipeline?: unknown; endpoint?: unknown }): void {
  if ((options.pipeline === undefined) === (options.endpoint === undefined)) throw new InvalidArgumentError('give either --pipeline CFG or --endpoint URL --endpoint-model NAME');
}

/** `--judge-url`, `--judge-model`, `--judge-key-env`: the LLM judge of --judge llm (grade, eval-mllm). */
export const judgeFlags = {
  judgeUrl: { flag: '--judge-url <url>', description: 'OpenAI-compatible endpoint for --judge llm' },
  judgeModel: { flag: '--judge-model <name>', description: 'judge model for --judge llm' },
  judgeKeyEnv: { flag: '--judge-key-env <name>', description: "environment variable holding the judge's API key ('none': no key)" },
} as const satisfies Record<string, FlagSpec>;

/** The keys every workflow has that are no flags: the command passes them. */
export const runtimeKeys = {
  abortSignal: notAFlag('the interrupt handler (Ctrl-C) passes it'),
  onEvent: notAFlag('the progress printer receives the events'),
  tool: notAFlag('the command passes `mmvp <version>`'),
} as const;

/** `--json`: print the result document on stdout. */
export function jsonFlag(description: string): FlagSpec {
  return { flag: '--json', description };
}
