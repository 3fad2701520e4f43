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

  it('keeps one client waiting for the window only on its first request', async () => {
    vi.useFakeTimers();
    const pipeline = fakePipeline();
    const batcher = createRequestBatcher(pipeline, { windowMs: 1000, maxBatchSize: 8 });
    const first = batcher.ask(ask('a'));
    await vi.advanceTimersByTimeAsync(999);
    expect(pipeline.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect((await first).text).toBe('a');
    // the answer went out: the next question of the same client starts at once, no window
    const second = batcher.ask(ask('b'));
    await vi.advanceTimersByTimeAsync(0);
    expect((await second).text).toBe('b');
    expect(pipeline.batches).toEqual([['a'], ['b']]);
  });

  it('after a batch, waits (up to 4 windows) for the clients that just got answers', async () => {
    vi.useFakeTimers();
    const pipeline = fakePipeline();
    const batcher = createRequestBatcher(pipeline, { windowMs: 10, maxBatchSize: 3 });
    const round1 = Promise.all(['a', 'b', 'c'].map((question) => batcher.ask(ask(question))));
    await vi.advanceTimersByTimeAsync(0);
    await round1;
    const round2 = [batcher.ask(ask('d')), batcher.ask(ask('e'))];
    await vi.advanceTimersByTimeAsync(30);
    expect(pipeline.batches).toHaveLength(1); // two of the three clients are back: still waiting for the third
    round2.push(batcher.ask(ask('f')));
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all(round2);
    expect(pipeline.batches).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
    ]);
  });
});
