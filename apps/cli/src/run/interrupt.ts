import { InvalidArgumentError } from '@mmvp/core';

/**
 * The one Ctrl-C handler: while `work` runs, the first SIGINT (or a SIGTERM) aborts the workflow's
 * signal with `interrupted; <kept>` (the workflow stops at its next checkpoint and keeps what it has
 * written), and says so on stderr; a second SIGINT exits at once with status 130.
 */
export async function withInterrupt<T>(kept: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    process.stderr.write(`mmvp: ${signal}: stopping; ${kept} (Ctrl-C again quits at once)\n`);
    controller.abort(new InvalidArgumentError(`interrupted; ${kept}`));
  };
  const onInterrupt = () => stop('SIGINT');
  const onTerminate = () => stop('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  }
}

/** Waits for SIGINT or SIGTERM (servers and workers), then runs that signal's stop; a second SIGINT exits with 130. */
export function untilStopped(stops: Record<'SIGINT' | 'SIGTERM', () => Promise<void>>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stopping = false;
    const on = (signal: 'SIGINT' | 'SIGTERM') => () => {
      if (stopping) {
        if (signal === 'SIGINT') process.exit(130);
        return;
      }
      stopping = true;
      stops[signal]().then(resolve, reject);
    };
    process.on('SIGINT', on('SIGINT'));
    process.on('SIGTERM', on('SIGTERM'));
  });
}
