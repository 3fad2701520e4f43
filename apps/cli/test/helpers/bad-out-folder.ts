import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './run-cli';

/**
 * For a command whose --out is a results folder: --out onto an existing file, and --out under a file,
 * must each fail in one line naming --out before any input or model is read. `args(missing, out)` gives
 * the command line; `missing` is a path that does not exist, for every input and model flag.
 */
export async function expectOutFolderRefusedFirst(command: string, args: (missing: string, out: string) => string[]): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), `mmvp-cli-${command}-out-`));
  try {
    const file = join(folder, 'taken.txt');
    await writeFile(file, 'x');
    const missing = join(folder, 'no-such-input');
    for (const out of [file, join(file, 'sub')]) {
      const result = await runCli([command, ...args(missing, out)]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^mmvp: InvalidArgumentError: --out .*taken\.txt.*(is a file|not a folder)/);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
