import { InvalidArgumentError } from '@mmvp/core';
import { servePipeline } from '@mmvp/serve';
import type { Command } from 'commander';
import { positiveIntegerOption } from '../shared/positive-integer-option';

interface ServeFlags {
  pipeline: string;
  host: string;
  port: string;
  apiKeyEnv?: string;
  modelId?: string;
  maxBatchSize: string;
  batchWindowMs: string;
  maxBodyMb: string;
  maxImageMb: string;
  allowFileRoot?: string;
}

/** `mmvp serve --pipeline CFG`: the pipeline as an OpenAI-compatible chat-completions server (servePipeline of @mmvp/serve). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a pipeline as an OpenAI-compatible API: GET /v1/models, POST /v1/chat/completions (image_url data URLs, stream), for lmms-eval, VLMEvalKit or `mmvp eval-mllm --endpoint`')
    .requiredOption('--pipeline <config>', 'pipeline config (JSON) with a decoder section')
    .option('--host <address>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: a free one)', '8000')
    .option('--api-key-env <name>', 'environment variable holding the bearer token clients must send (default: no token)')
    .option('--model-id <name>', "the model name /v1/models lists (default: the config file's name, or its folder's for pipeline.json)")
    .option('--max-batch-size <n>', 'questions per pipeline batch at most', '8')
    .option('--batch-window-ms <n>', 'how long an idle pipeline waits for more requests before a batch (requests arriving during a batch always join the next)', '0')
    .option('--max-body-mb <n>', 'largest request body (HTTP 413 above)', '25')
    .option('--max-image-mb <n>', 'largest image (HTTP 413 above)', '20')
    .option('--allow-file-root <dir>', 'accept file: image URLs naming files inside this folder (default: data URLs only)')
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`--port must be 0..65535, got '${flags.port}'`);
      const server = await servePipeline({
        pipeline: flags.pipeline,
        host: flags.host,
        port,
        ...(flags.apiKeyEnv === undefined ? {} : { apiKeyEnv: flags.apiKeyEnv }),
        ...(flags.modelId === undefined ? {} : { modelId: flags.modelId }),
        ...(flags.allowFileRoot === undefined ? {} : { fileRoot: flags.allowFileRoot }),
        maxBatchSize: positiveIntegerOption('--max-batch-size', flags.maxBatchSize),
        batchWindowMs: Number(flags.batchWindowMs) >= 0 ? Number(flags.batchWindowMs) : positiveIntegerOption('--batch-window-ms', flags.batchWindowMs),
        maxBodyBytes: positiveIntegerOption('--max-body-mb', flags.maxBodyMb) * 1024 * 1024,
        maxImageBytes: positiveIntegerOption('--max-image-mb', flags.maxImageMb) * 1024 * 1024,
      });
      for (const line of server.describe) process.stderr.write(`${line}\n`);
      process.stderr.write(`serving '${server.modelId}' at ${server.url} (Ctrl-C stops after the requests in flight)\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`${signal}: finishing the requests in flight, then stopping\n`);
          void server.close().then(resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
