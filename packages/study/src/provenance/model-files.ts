import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sha256File } from '@mmvp/results';

/** One model file a pipeline config points at, with its SHA-256. */
export interface ModelFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Large files are fingerprinted by size and head/tail hash instead of a full read (a 14 GB decoder). */
const FULL_HASH_LIMIT = 1 << 30;

/**
 * Every model file a (resolved) pipeline config points at, with its SHA-256: for a folder, its *.json,
 * *.txt, *.safetensors and onnx/* files; for a file, the file.
 */
export async function hashModelFiles(config: unknown): Promise<ModelFile[]> {
  const paths = new Set<string>();
  const visit = (value: unknown, key: string) => {
    if (typeof value === 'string' && (key === 'model' || key === 'modelPath' || key === 'weights' || key === 'weightsPath')) paths.add(value);
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(config, '');
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) continue;
    if (info.isFile()) files.push(path);
    else if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) if (/\.(json|txt|safetensors|onnx|onnx_data)$/.test(name)) files.push(join(path, name));
      const onnxDir = join(path, 'onnx');
      const names = await readdir(onnxDir).catch(() => [] as string[]);
      for (const name of names.sort()) files.push(join(onnxDir, name));
    }
  }
  const result: ModelFile[] = [];
  for (const file of files) {
    const info = await stat(file);
    if (!info.isFile()) continue;
    result.push({ path: resolve(file), bytes: info.size, sha256: info.size <= FULL_HASH_LIMIT ? await sha256File(file) : await fingerprint(file, info.size) });
  }
  return result;
}

/** RunIdentity.modelFilesSha256: one SHA-256 over the files' hashes and sizes, in order, without their paths (a moved checkout still resumes). */
export function modelFilesSha256(files: readonly ModelFile[]): string {
  return createHash('sha256')
    .update(files.map((file) => `${file.sha256} ${file.bytes}`).join('\n'))
    .digest('hex');
}

async function fingerprint(path: string, size: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const chunk = 1 << 20;
    const head = Buffer.alloc(chunk);
    const tail = Buffer.alloc(chunk);
    await handle.read(head, 0, chunk, 0);
    await handle.read(tail, 0, chunk, size - chunk);
    return `head+tail:${createHash('sha256').update(head).update(tail).update(String(size)).digest('hex')}`;
  } finally {
    await handle.close();
  }
}
