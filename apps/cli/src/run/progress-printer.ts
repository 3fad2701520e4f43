import type { StudyEvent } from '@mmvp/study';
import { demoLine } from '../print/demo-events';
import { embedLine } from '../print/embed-events';
import { mineEvents } from '../print/mine-events';
import { sweepEvents } from '../print/sweep-events';
import { vlmEvents } from '../print/vlm-events';
import { workerLine } from '../print/worker-events';
import { createProgressBar } from './progress-bar';
import type { ProgressLines } from './progress-lines';

/** The one progress printer of every command: its lines, warnings and bars, all on stderr, and every workflow's events. */
export interface ProgressPrinter extends ProgressLines {
  /** Any workflow's event (StudyEvent, the one union): its lines, warnings and bars, as that workflow's command prints them. */
  event(event: StudyEvent): void;
}

/** A printer whose lines start with `prefix:` (`mmvp eval-mllm`, `sweep`, `demo`; '' for none); `command` names the workflow the command runs. */
export function createProgressPrinter(prefix: string, command = prefix): ProgressPrinter {
  const bars = new Map<string, ReturnType<typeof createProgressBar>>();
  const write = (text: string) => void process.stderr.write(text);
  const printer: ProgressPrinter = {
    line: (text) => write(prefix === '' ? `${text}\n` : `${prefix}: ${text}\n`),
    warning: (message) => write(`mmvp: warning: ${message}\n`),
    bar(label, done, total, startedAt = 0) {
      let bar = bars.get(label);
      if (bar === undefined) bars.set(label, (bar = createProgressBar(label, total, startedAt)));
      bar.update(done);
      if (done === total) {
        bar.finish();
        bars.delete(label);
      }
    },
    event: (event) => printEvent(event),
    finish() {
      for (const bar of bars.values()) bar.finish();
      bars.clear();
    },
  };
  const sweep = sweepEvents(printer);
  const mine = mineEvents(printer);
  const vlm = vlmEvents(printer);
  /** The workflow's own printing where it has one; else the shared variants: warnings, a bar per stage, resolved lines. */
  const printEvent = (event: StudyEvent) => {
    switch (event.workflow) {
      case 'demo': {
        const line = demoLine(event);
        return line === undefined ? undefined : printer.line(line);
      }
      case 'sweep':
        return sweep(event);
      case 'mine':
        return mine(event);
      case 'eval-vlm':
        return vlm(event);
      case 'embed':
        return printer.line(embedLine(event));
      case 'worker':
        return write(`${prefix}${workerLine(event)}\n`);
    }
    if (event.type === 'warning') return printer.warning(event.message);
    if (event.type === 'progress') return printer.bar(event.stage, event.done, event.total, event.startedAt);
    if (event.type === 'resolved') {
      const [first, ...rest] = event.lines;
      return write(`mmvp ${event.workflow === command ? command : `${command} (${event.workflow})`}: ${first ?? ''}\n${rest.map((line) => `  ${line}\n`).join('')}`);
    }
    // the files an export wrote: the command prints them from its result
  };
  return printer;
}
