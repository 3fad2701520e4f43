import { createHash } from 'node:crypto';
import { dirname, relative, resolve, sep } from 'node:path';
import type { ModelFile } from '../provenance/model-files';
import type { JobPipeline } from './job-plan';

/** The deepest folder that holds every path (the coordinator's models root). */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return sep;
  let common = dirname(resolve(paths[0]!));
  for (const path of paths.slice(1)) {
    const absolute = resolve(path);
    while (common !== sep && !(absolute === common || absolute.startsWith(common + sep))) common = dirname(common);
  }
  return common;
}

/** What a job records of its pipeline: the resolved config, the models root, every model file with its hash. */
export function jobPipeline(config: object, modelFiles: readonly ModelFile[], modelFilesSha256: string): JobPipeline {
  const modelsRoot = commonFolder(modelFiles.map((file) => file.path));
  return {
    config: JSON.parse(JSON.stringify(config)) as Record<string, unknown>,
    modelsRoot,
    modelFiles: modelFiles.map((file) => ({ path: relative(modelsRoot, file.path), bytes: file.bytes, sha256: file.sha256 })),
    modelFilesSha256,
  };
}

/**
 * A run's id in the queue (16 hex digits): the run identity, the run folder and the shard size, so
 * the same run re-planned (--resume) finds its jobs, and two runs never share job ids.
 */
export function queueRunId(runIdentity: string, out: string, shardSize: number): string {
  return createHash('sha256')
    .update(`${runIdentity}\n${resolve(out)}\n${shardSize}`)
    .digest('hex')
    .slice(0, 16);
}
