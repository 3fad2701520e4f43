import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { FileFormatError, InvalidConfigError, NoSuchComponentError, parseWithSchema, readJsonFile } from '@mmvp/core';
import { isComponentFile, resolveComponent } from './component-source';
import { pipelineConfigSchema, type EncoderConfig, type PipelineConfig } from './pipeline-config-schema';

function resolveFrom(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/** Refuses (one line naming the file and field) a `use` that is a URL, an absolute path or a file outside the config's folder: nothing is imported yet. */
function checkUse(base: string, use: string, where: string): void {
  if (isAbsolute(use)) throw new InvalidConfigError(`${where}: '${use}' is an absolute path; a component is an installed package name or a './' file inside the config folder ${base}`);
  try {
    resolveComponent(use, { folder: base });
  } catch (error) {
    if (NoSuchComponentError.isInstance(error)) throw new InvalidConfigError(`${where}: ${(error as Error).message}`);
    throw error;
  }
}

function resolveEncoder(base: string, encoder: EncoderConfig | undefined, where: string): EncoderConfig | undefined {
  if (encoder === undefined) return undefined;
  checkUse(base, encoder.use, `${where}.use`);
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(encoder.options)) {
    options[key] = typeof value === 'string' && /Path$/.test(key) ? resolveFrom(base, value) : value;
  }
  return {
    ...encoder,
    use: isComponentFile(encoder.use) ? resolveFrom(base, encoder.use) : encoder.use,
    model: resolveFrom(base, encoder.model),
    options,
  };
}

/**
 * Validates a pipeline config object and makes its paths absolute against `baseDir` (model folders,
 * adapter weights, the decoder folder, local component paths and encoder options named `...Path`).
 * A config is code, like a plugin list: an encoder's `use` may name an installed package or a file
 * inside `baseDir`; URLs, absolute paths and `../` out of the folder are refused here (InvalidConfigError).
 */
export function parsePipelineConfig(value: unknown, options: { baseDir: string; source?: string }): PipelineConfig {
  const parsed = parseWithSchema(pipelineConfigSchema, value, options.source ?? 'pipeline config');
  const base = options.baseDir;
  const adapters: PipelineConfig['adapters'] = {};
  for (const role of ['clip', 'dino', 'additive'] as const) {
    const adapter = parsed.adapters[role];
    if (adapter !== undefined) adapters[role] = { ...adapter, weights: resolveFrom(base, adapter.weights) };
  }
  const source = options.source ?? 'pipeline config';
  const clip = resolveEncoder(base, parsed.encoders.clip, `${source}: encoders.clip`);
  const dino = resolveEncoder(base, parsed.encoders.dino, `${source}: encoders.dino`);
  return {
    ...parsed,
    encoders: { ...(clip ? { clip } : {}), ...(dino ? { dino } : {}) },
    adapters,
    ...(parsed.decoder ? { decoder: { ...parsed.decoder, modelPath: resolveFrom(base, parsed.decoder.modelPath) } } : {}),
    ...(options.source ? { configPath: options.source } : {}),
    configFolder: resolve(base),
  };
}

/** Reads and validates a pipeline config JSON file; relative paths resolve against its folder. */
export async function loadPipelineConfig(path: string): Promise<PipelineConfig> {
  const absolute = resolve(path);
  if ((await stat(absolute).catch(() => undefined))?.isDirectory()) {
    throw new FileFormatError(`${absolute} is a folder; a pipeline config is a JSON file (examples in configs/pipelines/)`);
  }
  const json = await readJsonFile(absolute, z.unknown()); // names the file when unreadable or not JSON
  return parsePipelineConfig(json, { baseDir: dirname(absolute), source: absolute });
}
