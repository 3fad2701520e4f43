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
 * Requests go to the pipeline together, up to `maxBatchSize` (askMany groups them by generation
 * settings and decodes each group as left-padded batches); one batch runs at a time, as the ONNX
 * sessions are shared. A batch starts once as many requests wait as are expected, or when the
 * window ends: at first `maxBatchSize` are expected within `windowMs` of the first request; after a
 * batch, the requests that waited plus one per answer just sent (clients send their next question
 * when they get an answer) are expected within 4 x `windowMs`. One client is therefore never kept
 * waiting, and many clients fill whole batches.
 */
export function createRequestBatcher(pipeline: Pick<Pipeline, 'askMany'>, options: { windowMs: number; maxBatchSize: number }): RequestBatcher {
  const queue: Waiting[] = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  /** Requests expected for the next batch. */
  let expected = options.maxBatchSize;
  /** When the next batch starts at the latest, once a request waits. */
  let windowEnd: number | undefined;

  const start = (): void => {
    clearTimeout(timer);
    timer = undefined;
    windowEnd = undefined;
    void runBatch();
  };
  const schedule = (): void => {
    if (running || queue.length === 0) return;
    if (queue.length >= Math.min(expected, options.maxBatchSize)) {
      start();
      return;
    }
    windowEnd ??= Date.now() + options.windowMs;
    timer ??= setTimeout(start, Math.max(0, windowEnd - Date.now()));
  };

  const runBatch = async (): Promise<void> => {
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
      expected = queue.length + batch.length;
      windowEnd = Date.now() + options.windowMs * 4;
      schedule();
    }
  };

  return {
    get pending() {
      return queue.length + (running ? 1 : 0);
    },
    ask(request, onToken) {
      return new Promise<Answer>((resolve, reject) => {
        if (!running && queue.length === 0 && windowEnd !== undefined && Date.now() > windowEnd) {
          // the first request after a quiet spell: a new burst may be starting
          expected = options.maxBatchSize;
          windowEnd = undefined;
        }
        queue.push({ request, resolve, reject, ...(onToken === undefined ? {} : { onToken }) });
        schedule();
      });
    },
  };
}
