import type { SweepProgressEvent } from '@mmvp/study';
import type { ProgressPrinter } from '../run/progress-printer';
import { ratioLine } from './sweep-table';

/** `mmvp sweep`'s lines for runSweep's events: what it resolved, encoding, a bar per ratio (or the queue's jobs), each ratio's scores. */
export function sweepEvents(printer: ProgressPrinter, ratios: number): (event: SweepProgressEvent) => void {
  let answering: string | undefined;
  return (event) => {
    if (event.type === 'resolved') for (const line of event.lines) printer.line(line);
    else if (event.type === 'resumed') printer.line(`resuming: ${event.answers} answers already in ${event.journal}`);
    else if (event.type === 'encoded') printer.line(`encoded ${event.done}/${event.total} images (once for all ${ratios} ratios)`);
    else if (event.type === 'answered') printer.bar((answering ??= `answers at r=${event.ratio}`), event.done, event.total);
    else if (event.type === 'queue' && event.event.kind === 'warning') printer.warning(event.event.message);
    else if (event.type === 'queue' && event.event.kind === 'jobs') printer.bar('jobs', event.event.done, event.event.total, event.event.startedAt);
    else if (event.type === 'queue-summary') printer.line(event.line);
    else if (event.type === 'ratio-finished') {
      printer.finish();
      answering = undefined;
      printer.line(ratioLine(event.result));
    }
  };
}
