import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { createPipeline, loadPipelineConfig, type Pipeline } from '@mmvp/pipeline';
import { createChatServer } from './create-chat-server';
import type { ServeOptions } from './serve-options';

/** What {@link servePipeline} needs: the pipeline config, where to listen, and the optional key. */
export interface ServePipelineOptions extends Partial<Omit<ServeOptions, 'modelId' | 'bearerToken' | 'systemFingerprint'>> {
  /** Pipeline config (JSON) with a decoder section. */
  readonly pipeline: string;
  /** Loopback by default; anything else must be asked for. */
  readonly host?: string;
  /** 0: a free port. */
  readonly port?: number;
  /** Environment variable holding the bearer token clients must send; omitted: no token. */
  readonly apiKeyEnv?: string;
  /** The served model's name; default: the config file's name (its folder's for `pipeline.json`). */
  readonly modelId?: string;
}

/** A running server. */
export interface RunningServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8000/v1`. */
  readonly url: string;
  readonly modelId: string;
  /** What was resolved (pipeline lines, model id, limits). */
  readonly describe: readonly string[];
  /** Stops accepting, finishes the requests in flight, then releases the pipeline. */
  close(): Promise<void>;
}

/** The default model name of a config file: `models/zoo/llava-clip/pipeline.json` -> `llava-clip`. */
function defaultModelId(configPath: string): string {
  const name = basename(configPath).replace(/\.json$/i, '');
  return name === 'pipeline' ? basename(dirname(resolve(configPath))) : name;
}

/**
 * Loads a pipeline and serves it as an OpenAI-compatible API (see createChatServer). The bearer
 * token is read from `apiKeyEnv` only and never printed.
 *
 * @example
 * ```ts
 * import { servePipeline } from '@mmvp/serve';
 * const server = await servePipeline({ pipeline: 'models/zoo/llava-clip/pipeline.json', port: 8000 });
 * console.log(server.url, server.modelId); // http://127.0.0.1:8000/v1 llava-clip
 * await server.close();
 * ```
 */
export async function servePipeline(options: ServePipelineOptions, load: (config: Awaited<ReturnType<typeof loadPipelineConfig>>) => Promise<Pipeline> = createPipeline): Promise<RunningServer> {
  let bearerToken: string | undefined;
  if (options.apiKeyEnv !== undefined) {
    bearerToken = process.env[options.apiKeyEnv];
    if (bearerToken === undefined || bearerToken === '') throw new InvalidArgumentError(`the environment variable ${options.apiKeyEnv} (named by --api-key-env) is not set; put the token clients must send there`);
  }
  const config = await loadPipelineConfig(options.pipeline);
  if (config.decoder === undefined) throw new InvalidArgumentError(`${options.pipeline} has no decoder section; serve needs a pipeline that answers questions`);
  const modelId = options.modelId ?? defaultModelId(options.pipeline);
  const systemFingerprint = `mmvp-${createHash('sha256')
    .update(await readFile(options.pipeline))
    .digest('hex')
    .slice(0, 12)}`;
  const pipeline = await load(config);
  const { pipeline: _path, host = '127.0.0.1', port = 8000, apiKeyEnv: _env, modelId: _id, ...limits } = options;
  const app = createChatServer(pipeline, { ...limits, modelId, systemFingerprint, ...(bearerToken === undefined ? {} : { bearerToken }) });
  try {
    await app.listen({ host, port });
  } catch (error) {
    await pipeline.dispose();
    throw new InvalidArgumentError(`cannot listen on ${host}:${port}: ${(error as Error).message}`, { cause: error });
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${boundPort}/v1`,
    modelId,
    describe: [
      ...pipeline.describe(),
      `model '${modelId}' (system_fingerprint ${systemFingerprint}); ${bearerToken === undefined ? 'no token' : `bearer token from $${options.apiKeyEnv}`}; batches of up to ${options.maxBatchSize ?? 8}, continuous batching${options.batchWindowMs ? `, window ${options.batchWindowMs} ms when idle` : ''}`,
    ],
    async close() {
      await app.close();
      await pipeline.dispose();
    },
  };
}
