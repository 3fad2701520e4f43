import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequestLimiter } from './request-limiter';

afterEach(() => void vi.useRealTimers());

describe('createRequestLimiter', () => {
  it('never runs more than maxConcurrency tasks at once, and runs every task', async () => {
    const limiter = createRequestLimiter({ maxConcurrency: 3 });
    let active = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        limiter.run(async () => {
          active++;
          most = Math.max(most, active);
          await new Promise((resolve) => setTimeout(resolve, 1 + (index % 4)));
          active--;
          return index;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it('starts at most requestsPerMinute tasks in any 60 s window', async () => {
    vi.useFakeTimers();
    const limiter = createRequestLimiter({ maxConcurrency: 10, requestsPerMinute: 2 });
    const started: number[] = [];
    const tasks = Array.from({ length: 5 }, () => limiter.run(async () => void started.push(Date.now())));
    const origin = Date.now();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all(tasks);
    expect(started.map((at) => Math.round((at - origin) / 1000))).toEqual([0, 0, 60, 60, 120]);
  });

  it('an aborted signal takes a waiting task out of the queue', async () => {
    const limiter = createRequestLimiter({ maxConcurrency: 1 });
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const second = limiter.run(async () => 'ran', controller.signal);
    controller.abort(new Error('stopped'));
    await expect(second).rejects.toThrow('stopped');
    release();
    await first;
    expect(await limiter.run(async () => 'third')).toBe('third');
  });
});
