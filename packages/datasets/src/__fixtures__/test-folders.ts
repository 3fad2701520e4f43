import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCsvField } from '@mmvp/results';

/** Test helper: a fresh temporary folder. */
export async function temporaryFolder(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `mmvp-datasets-${prefix}-`));
}

/** Writes files (path relative to `root` -> content), creating folders. */
export async function writeTree(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** CSV-quotes a field when needed (commas, quotes, line breaks), with the workspace's one CSV writer. */
export function csvField(value: string | number): string {
  return formatCsvField(value);
}
