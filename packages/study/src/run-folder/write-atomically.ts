import { rename, writeFile } from 'node:fs/promises';

/** Writes via a temporary file and rename, so a killed run never leaves a half-written result. */
export async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}
