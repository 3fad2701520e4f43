import type { SweepEvent } from '@mmvp/study';
import type { ProgressLines } from '../run/progress-lines';
import { ratioLine } from './sweep-table';

/** `mmvp sweep`'s lines for runSweep's events: what it resolved, encoding, a bar per ratio (or the queue's jobs), each ratio's scores. */
export function sweepEvents(printer: ProgressLines): (event: SweepEvent) => void {
  let answering: string | undefined;
  let ratios = 0;
  return (event) => {
    if (event.type === 'resolved') {
      ratios = event.ratios.length;
      for (const line of event.lines) printer.line(line);
    } else if (event.type === 'resumed') printer.line(`resuming: ${event.answers} answers already in ${event.journal}`);
    else if (event.type === 'progress' && event.stage === 'images') printer.line(`encoded ${event.done}/${event.total} images (once for all ${ratios} ratios)`);
    else if (event.type === 'progress') printer.bar('jobs', event.done, event.total, event.startedAt);
    else if (event.type === 'answered') printer.bar((answering ??= `answers at r=${event.ratio}`), event.done, event.total);
    else if (event.type === 'warning') printer.warning(event.message);
    else if (event.type === 'queue-summary') printer.line(event.line);
    else if (event.type === 'ratio-finished') {
      printer.finish();
      answering = undefined;
      printer.line(ratioLine(event.result));
    }
  };
}
