import type { StudyProgressEvent } from '@mmvp/study';
import { InvalidArgumentError } from '@mmvp/core';
import { createProgress } from './progress';

/**
 * Prints a workflow's progress events on stderr: what it resolved (indented lines under `mmvp CMD:`),
 * warnings as `mmvp: warning:` lines, and a bar (terminal) or plain lines per stage.
 */
export function printProgress(command: string): { onProgress: (event: StudyProgressEvent) => void; finish(): void } {
  const bars = new Map<string, ReturnType<typeof createProgress>>();
  return {
    onProgress(event) {
      if (event.kind === 'resolved') {
        const [first, ...rest] = event.lines;
        process.stderr.write(`mmvp ${event.workflow === command ? command : `${command} (${event.workflow})`}: ${first ?? ''}\n${rest.map((line) => `  ${line}\n`).join('')}`);
      } else if (event.kind === 'warning') process.stderr.write(`mmvp: warning: ${event.message}\n`);
      else {
        let bar = bars.get(event.stage);
        if (bar === undefined) bars.set(event.stage, (bar = createProgress(event.stage, event.total, event.startedAt)));
        bar.update(event.done);
        if (event.done === event.total) {
          bar.finish();
          bars.delete(event.stage);
        }
      }
    },
    finish() {
      for (const bar of bars.values()) bar.finish();
      bars.clear();
    },
  };
}

/** An AbortSignal that fires on Ctrl-C (SIGINT) while `work` runs, with a --resume hint. */
export async function withInterrupt<T>(message: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new InvalidArgumentError(message));
  process.once('SIGINT', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
  }
}
