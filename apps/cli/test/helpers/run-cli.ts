import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (`pnpm --filter @mmvp/cli... build`); CLI tests run what users run. */
export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  /** Exit status; null when the process was killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI in a child process and resolves with its exit status and output (a failing command
 * resolves too, so tests can check the one-line error). Asynchronous, so servers in the test process
 * (e.g. a fake LLM judge) keep answering. `env` is laid over process.env.
 */
export function runCli(args: readonly string[], options: { env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: { ...process.env, ...options.env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number | null }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** `runCli` with the arguments spread: `await mmvp('report', folder)`. */
export function mmvp(...args: string[]): Promise<CliResult> {
  return runCli(args);
}
