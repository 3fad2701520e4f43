import type { AskOptions, AskRequest, Pipeline } from '@mmvp/pipeline';

type Answer = Awaited<ReturnType<Pipeline['ask']>>;

interface Waiting {
  readonly request: AskRequest;
  readonly onToken?: (text: string) => void;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: unknown) => void;
}

/** Gathers concurrent requests into pipeline batches. */
export interface RequestBatcher {
  /** Queues one request for the next batch; `onToken` receives its streamed text. */
  ask(request: AskRequest, onToken?: (text: string) => void): Promise<Answer>;
  /** Requests queued or running. */
  readonly pending: number;
}

/**
 * Requests that arrive within `windowMs` of the first (or while a batch runs, and within `windowMs`
 * after it ends) go to the pipeline together, up to `maxBatchSize` (askMany groups them by generation settings and decodes each group
 * as left-padded batches). One batch runs at a time: the ONNX sessions are shared.
 */
export function createRequestBatcher(pipeline: Pick<Pipeline, 'askMany'>, options: { windowMs: number; maxBatchSize: number }): RequestBatcher {
  const queue: Waiting[] = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  const runBatch = async (): Promise<void> => {
    timer = undefined;
    if (running || queue.length === 0) return;
    running = true;
    const batch = queue.splice(0, options.maxBatchSize);
    const askOptions: AskOptions & { batchSize: number } = {
      batchSize: options.maxBatchSize,
      ...(batch.some((item) => item.onToken !== undefined) ? { onToken: (event) => batch[event.request]?.onToken?.(event.text) } : {}),
    };
    try {
      const answers = await pipeline.askMany(
        batch.map((item) => item.request),
        askOptions,
      );
      batch.forEach((item, index) => item.resolve(answers[index]!));
    } catch (error) {
      for (const item of batch) item.reject(error);
    } finally {
      running = false;
      // The clients whose answers just went out send their next questions now: give them the window too.
      if (queue.length > 0) timer ??= setTimeout(() => void runBatch(), queue.length >= options.maxBatchSize ? 0 : options.windowMs);
    }
  };

  return {
    get pending() {
      return queue.length + (running ? 1 : 0);
    },
    ask(request, onToken) {
      return new Promise<Answer>((resolve, reject) => {
        queue.push({ request, resolve, reject, ...(onToken === undefined ? {} : { onToken }) });
        if (!running && queue.length >= options.maxBatchSize) {
          clearTimeout(timer);
          timer = setTimeout(() => void runBatch(), 0);
        } else if (!running) {
          timer ??= setTimeout(() => void runBatch(), options.windowMs);
        }
      });
    },
  };
}
