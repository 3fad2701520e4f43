import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { z } from 'zod';
import { sha256File } from '@mmvp/results';

/**
 * Everything that decides what an embedding means. Two stores agree only if all of it agrees: the
 * exact ONNX weights (by content hash, so a moved folder still matches), which output and pooling
 * was read, the width, and the preprocessing.
 */
export const modelIdentitySchema = z
  .object({
    /** Display name: the model folder's name. */
    name: z.string(),
    /** Absolute model folder when the store was written (informational; the hash decides). */
    folder: z.string(),
    /** The ONNX file that produced the embeddings, relative to the folder. */
    onnxFile: z.string(),
    onnxSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Which embedding was read, e.g. "image_embeds (pooled, projected)" or "pooler_output (CLS after LayerNorm)". */
    embedding: z.string(),
    /** Width of one embedding. */
    dimension: z.number().int().positive(),
    /** Preprocessing that fed the model (processor config hash and options), JSON. */
    preprocessing: z.record(z.string(), z.unknown()),
  })
  .strict();
/** What identifies a model in an embedding store: folder, ONNX file and its SHA-256, embedding, dimension, preprocessing. */
export type ModelIdentity = z.infer<typeof modelIdentitySchema>;

/** Hashes the ONNX file and fills in a ModelIdentity. */
export async function describeModel(options: { folder: string; onnxPath: string; embedding: string; dimension: number; preprocessing: Record<string, unknown> }): Promise<ModelIdentity> {
  const folder = resolve(options.folder);
  const onnxPath = resolve(options.onnxPath);
  try {
    await stat(onnxPath);
  } catch (cause) {
    throw new InvalidArgumentError(`model file ${onnxPath} cannot be read: ${(cause as Error).message}`, { cause });
  }
  return {
    name: basename(folder),
    folder,
    onnxFile: onnxPath.startsWith(`${folder}/`) ? onnxPath.slice(folder.length + 1) : onnxPath,
    onnxSha256: await sha256File(onnxPath),
    embedding: options.embedding,
    dimension: options.dimension,
    preprocessing: options.preprocessing,
  };
}

/** The differences between two identities, as readable field names; empty when they match. */
export function identityDifferences(stored: ModelIdentity, wanted: ModelIdentity): string[] {
  const differences: string[] = [];
  if (stored.onnxSha256 !== wanted.onnxSha256) differences.push('ONNX weights (sha256)');
  if (stored.embedding !== wanted.embedding) differences.push('embedding');
  if (stored.dimension !== wanted.dimension) differences.push('dimension');
  if (stableJson(stored.preprocessing) !== stableJson(wanted.preprocessing)) differences.push('preprocessing');
  return differences;
}

/** One-line description for messages: `tiny-clip (onnx/model.onnx sha256 1a2b3c4d, image_embeds, 512-d)`. */
export function formatIdentity(identity: ModelIdentity): string {
  return `${identity.name} (${identity.onnxFile} sha256 ${identity.onnxSha256.slice(0, 12)}, ${identity.embedding}, ${identity.dimension}-d, from ${identity.folder})`;
}

/** JSON with sorted keys, so key order never makes two equal settings look different. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
