import type { StudyProgressEvent } from '@mmvp/study';
import { createProgressBar } from './progress-bar';

/** The one progress printer of every command: its lines, warnings and bars, all on stderr. */
export interface ProgressPrinter {
  /** `<prefix>: text` (the command's own lines: what it resolved, what it wrote). */
  line(text: string): void;
  /** `mmvp: warning: message`. */
  warning(message: string): void;
  /** A bar per label (rate and ETA on a terminal, a line every ~5% otherwise); it ends itself at done = total. */
  bar(label: string, done: number, total: number, startedAt?: number): void;
  /** The events of eval-mllm, pope and grade (resolved lines, warnings, progress stages). */
  study(event: StudyProgressEvent): void;
  /** Ends any bar still open (call when the run ends, however it ends). */
  finish(): void;
}

/** A printer whose lines start with `prefix:` (`mmvp eval-mllm`, `sweep`, `demo`). */
export function createProgressPrinter(prefix: string, command = prefix): ProgressPrinter {
  const bars = new Map<string, ReturnType<typeof createProgressBar>>();
  const printer: ProgressPrinter = {
    line: (text) => void process.stderr.write(`${prefix}: ${text}\n`),
    warning: (message) => void process.stderr.write(`mmvp: warning: ${message}\n`),
    bar(label, done, total, startedAt = 0) {
      let bar = bars.get(label);
      if (bar === undefined) bars.set(label, (bar = createProgressBar(label, total, startedAt)));
      bar.update(done);
      if (done === total) {
        bar.finish();
        bars.delete(label);
      }
    },
    study(event) {
      if (event.kind === 'warning') return printer.warning(event.message);
      if (event.kind === 'progress') return printer.bar(event.stage, event.done, event.total, event.startedAt);
      const [first, ...rest] = event.lines;
      process.stderr.write(`mmvp ${event.workflow === command ? command : `${command} (${event.workflow})`}: ${first ?? ''}\n${rest.map((line) => `  ${line}\n`).join('')}`);
    },
    finish() {
      for (const bar of bars.values()) bar.finish();
      bars.clear();
    },
  };
  return printer;
}
