import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequestBatcher } from './request-batcher';

afterEach(() => void vi.useRealTimers());

/** A pipeline stand-in that answers each question with its own text and records the batch sizes. */
function fakePipeline() {
  const batches: string[][] = [];
  return {
    batches,
    askMany: async (requests: readonly { question: string }[]) => {
      batches.push(requests.map((request) => request.question));
      await Promise.resolve();
      return requests.map((request) => ({ text: request.question, prompt: request.question, templatedPrompt: request.question, tokenIds: [1], finishReason: 'eos' as const, visualTokenCount: 1, promptLength: 2 }));
    },
  };
}

const ask = (question: string) => ({ image: new Uint8Array([1]), question });

describe('createRequestBatcher', () => {
  it('answers a burst in whole batches, each request with its own answer', async () => {
    const pipeline = fakePipeline();
    const batcher = createRequestBatcher(pipeline, { windowMs: 5, maxBatchSize: 4 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, index) => batcher.ask(ask(`q${index}`))));
    expect(answers.map((answer) => answer.text)).toEqual(Array.from({ length: 10 }, (_, index) => `q${index}`));
    expect(pipeline.batches.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(pipeline.batches.flat()).toEqual(Array.from({ length: 10 }, (_, index) => `q${index}`));
  });

  it('starts a request that finds the pipeline idle at once; those arriving meanwhile start together when the batch ends', async () => {
    const pipeline = fakePipeline();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const askMany = pipeline.askMany;
    const slow = { askMany: async (requests: readonly { question: string }[]) => (requests[0]!.question === 'a' ? gate.then(() => askMany(requests)) : askMany(requests)) };
    const batcher = createRequestBatcher(slow, { windowMs: 0, maxBatchSize: 8 });
    const first = batcher.ask(ask('a'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['b', 'c', 'd'].map((question) => batcher.ask(ask(question)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batcher.pending).toBe(4); // 'a' runs, three wait for it
    release();
    expect((await first).text).toBe('a');
    expect((await Promise.all(later)).map((answer) => answer.text)).toEqual(['b', 'c', 'd']);
    expect(pipeline.batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('with a window, an idle pipeline waits for it unless a whole batch is there first', async () => {
    vi.useFakeTimers();
    const pipeline = fakePipeline();
    const batcher = createRequestBatcher(pipeline, { windowMs: 1000, maxBatchSize: 3 });
    const early = [batcher.ask(ask('a')), batcher.ask(ask('b'))];
    await vi.advanceTimersByTimeAsync(999);
    expect(pipeline.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(early);
    const full = ['c', 'd', 'e'].map((question) => batcher.ask(ask(question)));
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all(full);
    expect(pipeline.batches).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });

  it('runs a failed batch again one request at a time: only the bad request fails', async () => {
    const batches: string[][] = [];
    const picky = {
      askMany: async (requests: readonly { question: string }[]) => {
        batches.push(requests.map((request) => request.question));
        if (requests.some((request) => request.question === 'bad')) throw new Error('cannot decode image bytes');
        return fakePipeline().askMany(requests);
      },
    };
    const batcher = createRequestBatcher(picky, { windowMs: 0, maxBatchSize: 3 });
    const results = await Promise.allSettled(['x', 'bad', 'y'].map((question) => batcher.ask(ask(question))));
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value.text : (result.reason as Error).message))).toEqual(['x', 'cannot decode image bytes', 'y']);
    expect(batches).toEqual([['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });
});
