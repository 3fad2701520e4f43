import { createHash } from 'node:crypto';
import { relative, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { createPipeline, type Pipeline, type PipelineConfig } from '@mmvp/pipeline';
import { hashModelFiles } from '../mmvp/model-files';
import type { JobPipeline } from './job-plan';

/** A worker's model files differ from those a job recorded: the job is refused, never answered. */
export class ModelIdentityMismatch extends InvalidArgumentError {}

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
    mine.delete(expected.path);
  }
  const extra = [...mine.keys()];
  if (extra.length > 0) throw new ModelIdentityMismatch(`model file(s) ${extra.slice(0, 3).join(', ')} on this worker are not in the job's model identity`);
  const total = createHash('sha256').update(files.map((file) => `${file.sha256} ${file.bytes}`).join('\n')).digest('hex');
  if (total !== spec.modelFilesSha256) throw new ModelIdentityMismatch(`model files hash to ${total.slice(0, 12)}..., the job recorded ${spec.modelFilesSha256.slice(0, 12)}...`);
}

interface PoolEntry {
  readonly ready: Promise<{ config: PipelineConfig }>;
  readonly idle: Pipeline[];
  readonly all: Pipeline[];
  /** Jobs using one of its pipelines now. */
  inUse: number;
}

/**
 * Loaded pipelines kept warm across jobs, one pool per (config, model files) identity; a pipeline is
 * lent to one job at a time (concurrency N loads up to N copies). At most `maxModels` identities stay
 * loaded (default 2; the least recently used is unloaded first). The model files are checked once
 * per identity, before the first load; a mismatch is remembered and every job of that identity refused.
 */
export function warmPipelines(options: { readonly modelsRoot?: string; readonly maxModels?: number }) {
  const maxModels = options.maxModels ?? 2;
  const pools = new Map<string, PoolEntry>(); // insertion order = recency of use
  /** Unloads the least recently used models beyond `maxModels` (never one a job is using). */
  const evict = async () => {
    const loaded = [...pools.entries()].filter(([, entry]) => entry.all.length > 0);
    for (const [key, entry] of loaded.slice(0, Math.max(0, loaded.length - maxModels))) {
      if (entry.inUse > 0) continue;
      pools.delete(key);
      for (const pipeline of entry.all) await pipeline.dispose();
    }
  };
  const poolFor = (spec: JobPipeline): PoolEntry => {
    const key = createHash('sha256').update(JSON.stringify(spec.config)).update(spec.modelFilesSha256).digest('hex');
    let entry = pools.get(key);
    if (entry === undefined) {
      const root = options.modelsRoot === undefined ? spec.modelsRoot : resolve(options.modelsRoot);
      const config = rebasePaths(spec.config, spec.modelsRoot, root) as unknown as PipelineConfig;
      entry = { ready: checkModelFiles(spec, config, root).then(() => ({ config })), idle: [], all: [], inUse: 0 };
      entry.ready.catch(() => undefined);
    }
    pools.delete(key);
    pools.set(key, entry);
    return entry;
  };
  return {
    /** Runs `work` with a warm pipeline for `spec` (loads one when none is idle); throws ModelIdentityMismatch before loading anything. */
    async use<T>(spec: JobPipeline, work: (pipeline: Pipeline, modelsRoot: string) => Promise<T>): Promise<T> {
      const entry = poolFor(spec);
      const { config } = await entry.ready;
      entry.inUse++;
      try {
        let pipeline = entry.idle.pop();
        if (pipeline === undefined) {
          await evict(); // room for this model before it loads
          pipeline = await createPipeline(config);
          entry.all.push(pipeline);
        }
        try {
          return await work(pipeline, options.modelsRoot === undefined ? spec.modelsRoot : resolve(options.modelsRoot));
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
