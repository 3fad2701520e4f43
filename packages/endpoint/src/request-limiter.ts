/**
 * At most `maxConcurrency` tasks at once and at most `requestsPerMinute` started in any 60 s
 * window (a sliding window over start times). Tasks start in the order they were queued.
 */
export interface RequestLimiter {
  /** Runs `task` when a slot and the rate allow (in queue order); an aborted `signal` takes it out of the queue. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** Builds a {@link RequestLimiter}. */
export function createRequestLimiter(options: { maxConcurrency: number; requestsPerMinute?: number; now?: () => number }): RequestLimiter {
  const now = options.now ?? Date.now;
  const starts: number[] = [];
  const waiting: (() => void)[] = [];
  let active = 0;
  let timer: NodeJS.Timeout | undefined;

  const pump = (): void => {
    while (waiting.length > 0 && active < options.maxConcurrency) {
      if (options.requestsPerMinute !== undefined) {
        const windowStart = now() - 60_000;
        while (starts.length > 0 && starts[0]! <= windowStart) starts.shift();
        if (starts.length >= options.requestsPerMinute) {
          if (timer === undefined) {
            timer = setTimeout(
              () => {
                timer = undefined;
                pump();
              },
              Math.max(1, starts[0]! + 60_000 - now()),
            );
          }
          return;
        }
        starts.push(now());
      }
      active++;
      waiting.shift()!();
    }
  };

  return {
    async run(task, signal) {
      await new Promise<void>((resolve, reject) => {
        const start = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const index = waiting.indexOf(start);
          if (index >= 0) waiting.splice(index, 1);
          reject(signal!.reason);
        };
        signal?.throwIfAborted();
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(start);
        pump();
      });
      try {
        return await task();
      } finally {
        active--;
        pump();
      }
    },
  };
}
