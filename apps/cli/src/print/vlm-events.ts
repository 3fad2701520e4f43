import { formatIssue } from '@mmvp/datasets';
import type { EvalVlmEvent } from '@mmvp/study';
import type { ProgressLines } from '../run/progress-lines';

/** `mmvp eval-vlm`'s lines for evaluateVlm's events: what it resolved, data issues as warnings, a bar of pairs. */
export function vlmEvents(printer: ProgressLines): (event: EvalVlmEvent) => void {
  let total = 0;
  return (event) => {
    if (event.type === 'issue') printer.warning(formatIssue(event.issue));
    else if (event.type === 'skipped') printer.warning(`pair ${event.pairId} is skipped: ${event.reason}`);
    else if (event.type === 'progress') printer.bar('pairs', event.done, total);
    else {
      total = event.pairs;
      printer.line(
        `${event.pairs} pairs in ${event.patterns} patterns (${event.questionsFile}); model ${event.visionModel} + ${event.textModel}, ${event.imageSize[0]}px, ${event.executionProvider}; ` +
          `family ${event.family} (logit scale ${event.logitScale}, bias ${event.logitBias}); ${event.encoderPackage} ${event.packages[event.encoderPackage]}, onnxruntime-node ${event.packages['onnxruntime-node']}`,
      );
    }
  };
}
