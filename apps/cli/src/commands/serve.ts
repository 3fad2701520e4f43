import type { Command } from 'commander';
import { z } from 'zod';
import { serveOptionsSchema, servePipeline, type ServePipelineOptions } from '@mmvp/serve';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { untilStopped } from '../run/interrupt';

const megabytes = (fallback: number) => z.number().int().positive().default(fallback);

/** servePipeline's options as flags (the size limits in MB, below). */
const serveFlags: FlagTable<ServePipelineOptions> = {
  pipeline: { flag: '--pipeline <config>', required: true, description: 'pipeline config (JSON) with a decoder section' },
  host: { flag: '--host <address>', schema: z.string().min(1).default('127.0.0.1'), description: 'address to bind (loopback by default)' },
  port: { flag: '--port <n>', schema: z.number().int().min(0).max(65535).default(8000), description: 'port to listen on (0: a free one)' },
  apiKeyEnv: { flag: '--api-key-env <name>', description: 'environment variable holding the bearer token clients must send (default: no token)' },
  modelId: { flag: '--model-id <name>', required: false, description: "the model name /v1/models lists (default: the config file's name, or its folder's for pipeline.json)" },
  maxBatchSize: { flag: '--max-batch-size <n>', description: 'questions per pipeline batch at most' },
  batchWindowMs: { flag: '--batch-window-ms <n>', description: 'how long an idle pipeline waits for more requests before a batch (requests arriving during a batch always join the next)' },
  maxBodyBytes: notAFlag('--max-body-mb, in MB'),
  maxImageBytes: notAFlag('--max-image-mb, in MB'),
  fileRoot: { flag: '--allow-file-root <dir>', description: 'accept file: image URLs naming files inside this folder (default: data URLs only)' },
};
const sizeFlags: FlagTable<{ maxBodyMb?: number; maxImageMb?: number }> = {
  maxBodyMb: { flag: '--max-body-mb <n>', schema: megabytes(25), description: 'largest request body (HTTP 413 above)' },
  maxImageMb: { flag: '--max-image-mb <n>', schema: megabytes(20), description: 'largest image (HTTP 413 above)' },
};

/** `mmvp serve --pipeline CFG`: the pipeline as an OpenAI-compatible chat-completions server (servePipeline of @mmvp/serve). */
export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('serve a pipeline as an OpenAI-compatible API: GET /v1/models, POST /v1/chat/completions (image_url data URLs, stream), for lmms-eval, VLMEvalKit or `mmvp eval-mllm --endpoint`');
  declareFlags(declareFlags(command, serveFlags, serveOptionsSchema), sizeFlags).action(async (values: Record<string, unknown>) => {
    const { maxBodyMb, maxImageMb } = optionsFromFlags(sizeFlags, values);
    const server = await servePipeline({
      ...(optionsFromFlags(serveFlags, values) as ServePipelineOptions),
      ...(maxBodyMb === undefined ? {} : { maxBodyBytes: maxBodyMb * 1024 * 1024 }),
      ...(maxImageMb === undefined ? {} : { maxImageBytes: maxImageMb * 1024 * 1024 }),
    });
    for (const line of server.describe) process.stderr.write(`${line}\n`);
    process.stderr.write(`serving '${server.modelId}' at ${server.url} (Ctrl-C stops after the requests in flight)\n`);
    const stop = (signal: string) => () => (process.stderr.write(`${signal}: finishing the requests in flight, then stopping\n`), server.close());
    await untilStopped({ SIGINT: stop('SIGINT'), SIGTERM: stop('SIGTERM') });
  });
}
