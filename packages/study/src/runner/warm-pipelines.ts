import { createHash } from 'node:crypto';
import { relative, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { resolveComponent, type ComponentSource, type PipelineConfig } from '@mmvp/pipeline';
import { hashModelFiles } from '../provenance/model-files';
import type { JobPipeline } from './job-kind';

/** A worker's model files differ from those a job recorded: the job is refused, never answered. */
export class ModelIdentityMismatch extends InvalidArgumentError {}

/** A worker's allowlist of components: a job's config names code this worker does not allow; the job is refused, nothing is imported. */
class ComponentNotAllowed extends ModelIdentityMismatch {}

/** The component packages every worker allows by default (the built-in encoders, installed with mmvp). */
export const BUILT_IN_COMPONENTS: readonly string[] = ['@mmvp/encoder-clip', '@mmvp/encoder-siglip', '@mmvp/encoder-dinov2'];

/** Which components a worker loads: its allowlist (never the job's word), package names resolved from `allowFrom`. */
export type WorkerComponents = Required<Pick<ComponentSource, 'allow'>> & Pick<ComponentSource, 'allowFrom'>;

/** Refuses a job whose config names a component outside the worker's allowlist (before anything is imported). */
function checkJobComponents(config: unknown, components: WorkerComponents): void {
  const encoders = (config as { encoders?: Record<string, { use?: unknown } | undefined> } | null)?.encoders;
  if (encoders === undefined || encoders === null || typeof encoders !== 'object') return; // mine jobs: built-in encoders, no `use`
  for (const [role, encoder] of Object.entries(encoders)) {
    const use = encoder?.use;
    if (use === undefined) continue;
    try {
      if (typeof use !== 'string') throw new Error(`encoders.${role}.use is not a string`);
      resolveComponent(use, components);
    } catch (error) {
      throw new ComponentNotAllowed(`the job's encoders.${role}.use: ${(error as Error).message}`);
    }
  }
}

/** Rewrites every string of `value` under `from` (a folder) to the same place under `to`. */
export function rebasePaths<T>(value: T, from: string, to: string): T {
  if (from === to) return value;
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return node === from || node.startsWith(from + sep) ? to + node.slice(from.length) : node;
    if (Array.isArray(node)) return node.map(visit);
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, visit(child)]));
    return node;
  };
  return visit(value) as T;
}

/**
 * Checks that the model files under this worker's models root hash to what the job recorded, file by
 * file (same relative paths, sizes and SHA-256, nothing more, nothing less). Throws
 * ModelIdentityMismatch naming the first file that differs.
 */
export async function checkModelFiles(spec: JobPipeline, config: unknown, modelsRoot: string): Promise<void> {
  const files = await hashModelFiles(config);
  const mine = new Map(files.map((file) => [relative(modelsRoot, file.path), file]));
  for (const expected of spec.modelFiles) {
    const actual = mine.get(expected.path);
    if (actual === undefined) throw new ModelIdentityMismatch(`model file ${resolve(modelsRoot, expected.path)} is missing on this worker (the job needs ${expected.path}, sha256 ${expected.sha256.slice(0, 12)}...)`);
    if (actual.sha256 !== expected.sha256 || actual.bytes !== expected.bytes) {
      throw new ModelIdentityMismatch(`model file ${actual.path} hashes to ${actual.sha256.slice(0, 12)}... (${actual.bytes} bytes), the job recorded ${expected.sha256.slice(0, 12)}... (${expected.bytes} bytes)`);
    }
  }
  // a file may be listed twice (a decoder folder that also holds the adapter's weights): compare as sets
  const recorded = new Set(spec.modelFiles.map((file) => file.path));
  const extra = [...mine.keys()].filter((path) => !recorded.has(path));
  if (extra.length > 0) throw new ModelIdentityMismatch(`model file(s) ${extra.slice(0, 3).join(', ')} on this worker are not in the job's model identity`);
  const total = createHash('sha256')
    .update(files.map((file) => `${file.sha256} ${file.bytes}`).join('\n'))
    .digest('hex');
  if (total !== spec.modelFilesSha256) throw new ModelIdentityMismatch(`model files hash to ${total.slice(0, 12)}..., the job recorded ${spec.modelFilesSha256.slice(0, 12)}...`);
}

/** Something a pool keeps loaded: a Pipeline, or a sweep's tokenizer + decoder. */
interface Loaded {
  dispose(): Promise<void>;
}

/** How a pool loads what a job kind needs from a (checked) config. */
export interface LoadedFlavor<T extends Loaded> {
  readonly name: string;
  create(config: PipelineConfig, components: WorkerComponents): Promise<T>;
}

interface PoolEntry {
  readonly ready: Promise<{ config: PipelineConfig }>;
  readonly idle: Loaded[];
  readonly all: Loaded[];
  /** Jobs using one of its pipelines now. */
  inUse: number;
}

/**
 * Loaded pipelines kept warm across jobs, one pool per (config, model files) identity; a pipeline is
 * lent to one job at a time (concurrency N loads up to N copies). At most `maxModels` identities stay
 * loaded (default 2; the least recently used is unloaded first). The model files are checked once
 * per identity, before the first load; a mismatch is remembered and every job of that identity refused.
 * A job's components load only from `components` (default: the built-in encoders): a config in Redis
 * is data, never code this worker did not allow.
 */
export function warmPipelines(options: { readonly modelsRoot?: string; readonly maxModels?: number; readonly components?: WorkerComponents }) {
  const maxModels = options.maxModels ?? 2;
  const components: WorkerComponents = options.components ?? { allow: BUILT_IN_COMPONENTS };
  const pools = new Map<string, PoolEntry>(); // insertion order = recency of use
  /** Before a model loads: unloads the least recently used ones so that at most `maxModels` stay loaded (never one a job is using). */
  const evict = async () => {
    const loaded = [...pools.entries()].filter(([, entry]) => entry.all.length > 0);
    for (const [key, entry] of loaded.slice(0, Math.max(0, loaded.length + 1 - maxModels))) {
      if (entry.inUse > 0) continue;
      pools.delete(key);
      for (const pipeline of entry.all) await pipeline.dispose();
    }
  };
  const poolFor = (spec: JobPipeline, flavor: string): PoolEntry => {
    const key = createHash('sha256').update(flavor).update(JSON.stringify(spec.config)).update(spec.modelFilesSha256).digest('hex');
    let entry = pools.get(key);
    if (entry === undefined) {
      const root = options.modelsRoot === undefined ? spec.modelsRoot : resolve(options.modelsRoot);
      const config = rebasePaths(spec.config, spec.modelsRoot, root) as unknown as PipelineConfig;
      const ready = (async () => {
        checkJobComponents(config, components); // before the model files are read, before anything is imported
        await checkModelFiles(spec, config, root);
        return { config };
      })();
      entry = { ready, idle: [], all: [], inUse: 0 };
      entry.ready.catch(() => undefined);
    }
    pools.delete(key);
    pools.set(key, entry);
    return entry;
  };
  return {
    /** Runs `work` with a warm pipeline for `spec` (loads one when none is idle); throws ModelIdentityMismatch before loading anything. */
    async use<R, T extends Loaded>(spec: JobPipeline, flavor: LoadedFlavor<T>, work: (loaded: T, modelsRoot: string, config: PipelineConfig) => Promise<R>): Promise<R> {
      const entry = poolFor(spec, flavor.name);
      const { config } = await entry.ready;
      entry.inUse++;
      try {
        let pipeline = entry.idle.pop() as T | undefined;
        if (pipeline === undefined) {
          await evict(); // room for this model before it loads
          pipeline = await flavor.create(config, components);
          entry.all.push(pipeline);
        }
        try {
          return await work(pipeline, options.modelsRoot === undefined ? spec.modelsRoot : resolve(options.modelsRoot), config);
        } finally {
          entry.idle.push(pipeline);
        }
      } finally {
        entry.inUse--;
      }
    },
    /** How many pipelines are loaded (all pools). */
    get loaded(): number {
      return [...pools.values()].reduce((sum, entry) => sum + entry.all.length, 0);
    },
    async dispose(): Promise<void> {
      for (const entry of pools.values()) for (const pipeline of entry.all) await pipeline.dispose();
      pools.clear();
    },
  };
}
