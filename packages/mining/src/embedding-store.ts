import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeNpy, encodeNpy, FileFormatError, InvalidConfigError, parseWithSchema, removeDeadWritersTemporaries } from '@mmvp/core';
import { z } from 'zod';
import { sha256Bytes, writeFileAtomic } from '@mmvp/results';
import { formatIdentity, identityDifferences, modelIdentitySchema, type ModelIdentity } from './model-identity';

const storeFormat = 'mmvp-embedding-store';
const storeVersion = 1;

const storedImageSchema = z.object({ path: z.string(), sha256: z.string(), size: z.number(), mtimeMs: z.number() }).strict();
const storedErrorSchema = z.object({ path: z.string(), size: z.number().optional(), mtimeMs: z.number().optional(), message: z.string() }).strict();
const shardFileSchema = z.object({ file: z.string(), sha256: z.string(), dims: z.tuple([z.number().int(), z.number().int()]) }).strict();
const shardRecordSchema = z
  .object({
    id: z.string(),
    images: z.array(storedImageSchema),
    errors: z.array(storedErrorSchema),
    files: z.record(z.string(), shardFileSchema),
  })
  .strict();
const manifestSchema = z
  .object({
    format: z.literal(storeFormat),
    version: z.literal(storeVersion),
    models: z.record(z.string(), modelIdentitySchema),
    shards: z.array(z.object({ id: z.string(), rows: z.number().int().nonnegative(), errors: z.number().int().nonnegative() }).strict()),
  })
  .strict();

/** One embedded image: where it was, and what it was (content hash, size, modification time). */
export type StoredImage = z.infer<typeof storedImageSchema>;
/** An image that could not be read or decoded; kept so a resumed run reports it again without retrying. */
export type StoredError = z.infer<typeof storedErrorSchema>;
type ShardRecord = z.infer<typeof shardRecordSchema>;
type Manifest = z.infer<typeof manifestSchema>;

/** What one shard adds: images in row order, their embeddings per model key ([rows, D] row-major), errors. */
export interface ShardInput {
  readonly images: readonly StoredImage[];
  readonly errors: readonly StoredError[];
  readonly embeddings: Readonly<Record<string, Float32Array>>;
}

/** Embeddings of a set of images, one row per image, per model key. */
export interface LoadedEmbeddings {
  readonly images: readonly StoredImage[];
  /** [N, D] row-major per model key. */
  readonly vectors: Readonly<Record<string, Float32Array>>;
  readonly dimensions: Readonly<Record<string, number>>;
}

/** Options of openEmbeddingStore: the model identities the store must match, and whether to start it afresh. */
export interface OpenStoreOptions {
  /** The models this run uses, by key ('clip', 'dino'). A store made with other models is refused. */
  readonly models: Readonly<Record<string, ModelIdentity>>;
  /** Delete whatever store is there (made with other models, broken, or fine) and start over. */
  readonly rebuild?: boolean;
}

/**
 * Embeddings on disk in shards, written as a run goes so that a killed run resumes where it stopped
 * and a grown collection embeds only its new images.
 *
 * Layout: `manifest.json` (format, model identities, shard list) and per shard `shards/<id>.json`
 * (image paths, content hashes, errors, the hash and shape of each .npy) plus `shards/<id>.<key>.npy`
 * ([rows, D] float32). Each file is written atomically, the .npy files first and the manifest last, so
 * the manifest only ever lists complete shards; files a killed run left behind are overwritten. Any
 * disagreement between the manifest and its shards is an error, never silently reused.
 */
export class EmbeddingStore {
  private readonly latest = new Map<string, { image?: StoredImage; error?: StoredError }>();

  private constructor(
    readonly dir: string,
    private manifest: Manifest,
    private readonly records: ShardRecord[],
  ) {
    for (const record of records) this.index(record);
  }

  /** Whether `dir` holds a store (a manifest.json). */
  static async exists(dir: string): Promise<boolean> {
    try {
      await stat(join(dir, 'manifest.json'));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Opens the store in `dir`, creating it if there is none. Checks that it was made with the same
   * models (refuses otherwise, naming both, unless `rebuild`) and that every shard matches the manifest.
   */
  static async open(dir: string, options: OpenStoreOptions): Promise<EmbeddingStore> {
    const manifestPath = join(dir, 'manifest.json');
    if (options.rebuild) return EmbeddingStore.create(dir, options.models);
    if (await EmbeddingStore.exists(dir)) {
      let manifest: Manifest;
      try {
        manifest = parseWithSchema(manifestSchema, JSON.parse(await readFile(manifestPath, 'utf8')), manifestPath);
      } catch (cause) {
        throw new FileFormatError(`${manifestPath} is not a valid embedding store manifest (${(cause as Error).message}); rebuild the store (mmvp mine --rebuild)`, { cause });
      }
      const mismatch = describeModelMismatch(manifest.models, options.models);
      if (mismatch !== undefined) {
        throw new InvalidConfigError(`embedding store ${dir} was made with other models: ${mismatch}. Use another output folder, or rebuild the store (mmvp mine --rebuild) to embed everything again`);
      }
      // a run killed while writing left its temporary files: the resumed store must not keep them
      await removeDeadWritersTemporaries(dir);
      await removeDeadWritersTemporaries(join(dir, 'shards'));
      const records: ShardRecord[] = [];
      for (const entry of manifest.shards) records.push(await readShardRecord(dir, entry, manifest));
      return new EmbeddingStore(dir, manifest, records);
    }
    return EmbeddingStore.create(dir, options.models);
  }

  private static async create(dir: string, models: Readonly<Record<string, ModelIdentity>>): Promise<EmbeddingStore> {
    await rm(join(dir, 'shards'), { recursive: true, force: true });
    await mkdir(join(dir, 'shards'), { recursive: true });
    const manifest: Manifest = { format: storeFormat, version: storeVersion, models: { ...models }, shards: [] };
    await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return new EmbeddingStore(dir, manifest, []);
  }

  /** The model identities the store was made with, by key. */
  get models(): Readonly<Record<string, ModelIdentity>> {
    return this.manifest.models;
  }

  get shardCount(): number {
    return this.records.length;
  }

  /** Number of embedded rows over all shards (a re-embedded, changed file counts twice). */
  get rowCount(): number {
    return this.records.reduce((sum, record) => sum + record.images.length, 0);
  }

  /**
   * Whether the file at `path` with this size and modification time is already in the store (embedded
   * or recorded as unreadable). A file that changed since is not: it is embedded again.
   */
  has(path: string, size: number | undefined, mtimeMs: number | undefined): boolean {
    const entry = this.latest.get(path);
    const known = entry?.image ?? entry?.error;
    return known !== undefined && known.size === size && known.mtimeMs === mtimeMs;
  }

  /** Unreadable images recorded by earlier shards, latest per path. */
  errors(paths?: readonly string[]): StoredError[] {
    const wanted = paths ?? [...this.latest.keys()];
    const out: StoredError[] = [];
    for (const path of wanted) {
      const error = this.latest.get(path)?.error;
      if (error !== undefined) out.push(error);
    }
    return out;
  }

  /** Appends one shard: .npy files, then the shard record, then the manifest, each atomically. */
  async appendShard(input: ShardInput): Promise<void> {
    const id = `shard-${String(this.records.length).padStart(6, '0')}`;
    const rows = input.images.length;
    const files: ShardRecord['files'] = {};
    for (const [key, identity] of Object.entries(this.manifest.models)) {
      const data = input.embeddings[key];
      if (data === undefined) throw new InvalidConfigError(`shard ${id} has no embeddings for model '${key}'`);
      if (data.length !== rows * identity.dimension) {
        throw new InvalidConfigError(`shard ${id}: model '${key}' gave ${data.length} values for ${rows} images of width ${identity.dimension}`);
      }
      const bytes = encodeNpy(data, [rows, identity.dimension]);
      const file = `${id}.${key}.npy`;
      await writeFileAtomic(join(this.dir, 'shards', file), bytes);
      files[key] = { file, sha256: sha256Bytes(bytes), dims: [rows, identity.dimension] };
    }
    const record: ShardRecord = { id, images: [...input.images], errors: [...input.errors], files };
    await writeFileAtomic(join(this.dir, 'shards', `${id}.json`), `${JSON.stringify(record)}\n`);
    const manifest: Manifest = { ...this.manifest, shards: [...this.manifest.shards, { id, rows, errors: input.errors.length }] };
    await writeFileAtomic(join(this.dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    this.manifest = manifest;
    this.records.push(record);
    this.index(record);
  }

  /**
   * Loads the embeddings of `paths` (each path's latest row; paths without one are left out), or of
   * every image when `paths` is omitted, checking every shard's hash on the way.
   */
  async load(paths?: readonly string[]): Promise<LoadedEmbeddings> {
    const where = new Map<string, { shard: number; row: number }>();
    this.records.forEach((record, shard) => record.images.forEach((image, row) => where.set(image.path, { shard, row })));
    const wanted = (paths ?? [...where.keys()]).filter((path) => where.has(path) && this.latest.get(path)?.image !== undefined);
    const dimensions: Record<string, number> = {};
    const vectors: Record<string, Float32Array> = {};
    for (const [key, identity] of Object.entries(this.manifest.models)) {
      dimensions[key] = identity.dimension;
      vectors[key] = new Float32Array(wanted.length * identity.dimension);
    }
    const byShard = new Map<number, { out: number; row: number }[]>();
    wanted.forEach((path, out) => {
      const at = where.get(path)!;
      let list = byShard.get(at.shard);
      if (list === undefined) byShard.set(at.shard, (list = []));
      list.push({ out, row: at.row });
    });
    for (const [shard, list] of byShard) {
      const record = this.records[shard]!;
      for (const [key, dimension] of Object.entries(dimensions)) {
        const data = await readShardArray(this.dir, record, key, dimension);
        const target = vectors[key]!;
        for (const { out, row } of list) target.set(data.subarray(row * dimension, (row + 1) * dimension), out * dimension);
      }
    }
    const images = wanted.map((path) => this.latest.get(path)!.image!);
    return { images, vectors, dimensions };
  }

  private index(record: ShardRecord): void {
    for (const image of record.images) this.latest.set(image.path, { image });
    for (const error of record.errors) this.latest.set(error.path, { error });
  }
}

function describeModelMismatch(stored: Record<string, ModelIdentity>, wanted: Readonly<Record<string, ModelIdentity>>): string | undefined {
  const keys = [...new Set([...Object.keys(stored), ...Object.keys(wanted)])].sort();
  const parts: string[] = [];
  for (const key of keys) {
    const a = stored[key];
    const b = wanted[key];
    if (a === undefined || b === undefined) {
      parts.push(`model '${key}' is ${a === undefined ? 'not in the store' : 'not given now'}`);
      continue;
    }
    const differences = identityDifferences(a, b);
    if (differences.length > 0) parts.push(`'${key}' store has ${formatIdentity(a)}, this run has ${formatIdentity(b)} (differs in ${differences.join(', ')})`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

async function readShardRecord(dir: string, entry: Manifest['shards'][number], manifest: Manifest): Promise<ShardRecord> {
  const path = join(dir, 'shards', `${entry.id}.json`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new FileFormatError(`embedding store ${dir}: manifest lists shard ${entry.id} but ${path} cannot be read (${(cause as Error).message}); rebuild the store`, { cause });
  }
  const record = parseWithSchema(shardRecordSchema, JSON.parse(text), path);
  const problems: string[] = [];
  if (record.id !== entry.id) problems.push(`id is '${record.id}'`);
  if (record.images.length !== entry.rows) problems.push(`${record.images.length} images but the manifest says ${entry.rows}`);
  if (record.errors.length !== entry.errors) problems.push(`${record.errors.length} errors but the manifest says ${entry.errors}`);
  for (const [key, identity] of Object.entries(manifest.models)) {
    const file = record.files[key];
    if (file === undefined) problems.push(`no embeddings file for model '${key}'`);
    else if (file.dims[0] !== entry.rows || file.dims[1] !== identity.dimension) {
      problems.push(`model '${key}' file has shape [${file.dims.join(', ')}], expected [${entry.rows}, ${identity.dimension}]`);
    }
  }
  if (problems.length > 0) throw new FileFormatError(`embedding store ${dir}: shard ${path} does not match the manifest: ${problems.join('; ')}`);
  for (const key of Object.keys(manifest.models)) await readShardArray(dir, record, key, manifest.models[key]!.dimension);
  return record;
}

async function readShardArray(dir: string, record: ShardRecord, key: string, dimension: number): Promise<Float32Array> {
  const file = record.files[key]!;
  const path = join(dir, 'shards', file.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new FileFormatError(`embedding store ${dir}: shard file ${path} cannot be read (${(cause as Error).message}); rebuild the store`, { cause });
  }
  if (sha256Bytes(bytes) !== file.sha256) throw new FileFormatError(`embedding store ${dir}: ${path} does not match the sha256 in its shard record (changed or truncated); rebuild the store`);
  const npy = decodeNpy(bytes, path);
  if (!(npy.data instanceof Float32Array) || npy.dims.length !== 2 || npy.dims[0] !== record.images.length || npy.dims[1] !== dimension) {
    throw new FileFormatError(`embedding store ${dir}: ${path} holds [${npy.dims.join(', ')}] ${npy.dtype}, expected float32 [${record.images.length}, ${dimension}]`);
  }
  return npy.data;
}
