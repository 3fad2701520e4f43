import { MmvpError } from '@mmvp/core';
import type { Command } from 'commander';

/**
 * Runs the program; our own errors print as one clear line (no stack), anything else with its
 * stack, since that is a bug. Exit code 1 for user errors, 2 for bugs.
 */
export async function runMain(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (MmvpError.isInstance(error)) {
      process.stderr.write(`mmvp: ${error.name}: ${error.message}\n`);
      process.exitCode = 1;
    } else if (isFileSystemError(error)) {
      // A path problem the command did not check itself (permissions, a full disk, a file where a
      // folder should be): the user's to fix, so one line, not a stack.
      process.stderr.write(`mmvp: FileSystemError: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`mmvp: unexpected error (please report it): ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 2;
    }
  }
}

/** Node's file-system errors carry a `code` such as ENOENT, EEXIST, ENOTDIR, EACCES or ENOSPC and a `syscall`. */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const candidate = error as NodeJS.ErrnoException | null;
  return candidate instanceof Error && typeof candidate.code === 'string' && /^E[A-Z]+$/.test(candidate.code) && typeof candidate.syscall === 'string';
}
