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
 * Continuous batching at the request level: one batch runs at a time (the ONNX sessions are shared),
 * up to `maxBatchSize` requests (askMany groups them by generation settings and decodes each group as
 * left-padded batches). The requests that arrive while a batch runs wait for it and start together
 * the moment it ends; a request that finds the pipeline idle starts at once (after the requests read
 * in the same turn of the event loop), or after `windowMs` when that is set. The pipeline is thus
 * never idle while a request waits, and a lone client never waits for a window.
 *
 * A batch that fails before any token was streamed is run again one request at a time, so one bad
 * request (say an image that cannot be decoded) fails alone and the others are answered.
 */
export function createRequestBatcher(pipeline: Pick<Pipeline, 'askMany'>, options: { windowMs: number; maxBatchSize: number }): RequestBatcher {
  const queue: Waiting[] = [];
  let running = false;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  const start = (): void => {
    clearTimeout(timer as NodeJS.Timeout | undefined);
    clearImmediate(timer as NodeJS.Immediate | undefined);
    timer = undefined;
    void runBatch();
  };
  const schedule = (): void => {
    if (running || timer !== undefined || queue.length === 0) return;
    timer = options.windowMs > 0 ? setTimeout(start, options.windowMs) : setImmediate(start);
  };

  const answer = async (batch: readonly Waiting[]): Promise<void> => {
    let streamed = false;
    const askOptions: AskOptions & { batchSize: number } = {
      batchSize: options.maxBatchSize,
      ...(batch.some((item) => item.onToken !== undefined)
        ? {
            onToken: (event) => {
              streamed = true;
              batch[event.request]?.onToken?.(event.text);
            },
          }
        : {}),
    };
    try {
      const answers = await pipeline.askMany(
        batch.map((item) => item.request),
        askOptions,
      );
      batch.forEach((item, index) => item.resolve(answers[index]!));
    } catch (error) {
      if (batch.length === 1 || streamed) {
        for (const item of batch) item.reject(error);
        return;
      }
      for (const item of batch) await answer([item]);
    }
  };

  const runBatch = async (): Promise<void> => {
    if (running || queue.length === 0) return;
    running = true;
    try {
      await answer(queue.splice(0, options.maxBatchSize));
    } finally {
      running = false;
      // the requests that came while this batch ran start now: they have waited already
      if (queue.length > 0) start();
    }
  };

  return {
    get pending() {
      return queue.length + (running ? 1 : 0);
    },
    ask(request, onToken) {
      return new Promise<Answer>((resolve, reject) => {
        queue.push({ request, resolve, reject, ...(onToken === undefined ? {} : { onToken }) });
        if (queue.length >= options.maxBatchSize && !running) start();
        else schedule();
      });
    },
  };
}
