import { describe, expect, it } from 'vitest';
import { planShards } from '../queue/job-plan';
import { inProcessRunner } from './in-process-runner';
import type { JobDataBase, JobKindDefinition } from './job-kind';
import { runShards, type RunnerEvent, type ShardPlan } from './run-shards';
import { ShardsFailedError } from './shards-failed-error';

// The in-process runner with several shards at once (what an endpoint run uses: one question a shard, up to the
// endpoint's request limit at once): shards that finish out of order are committed in plan order, nothing past a
// failed shard is committed, and the failures are reported as the workflow asked. Expected lines written by hand.

interface EchoJob extends JobDataBase {
  readonly kind: 'echo';
  readonly numbers: readonly number[];
}

class RetryableFailure extends Error {}

/** A kind whose shard of number n takes (7 - n) * 4 ms (later shards finish first) and fails for the numbers in `failing`. */
function echoKind(seen: { running: number; most: number; started: number[] }, failing: ReadonlyMap<number, Error> = new Map()): JobKindDefinition<EchoJob, undefined> {
  return {
    kind: 'echo',
    unitsOf: (data) => data.numbers.length,
    async runShard(data) {
      seen.running++;
      seen.most = Math.max(seen.most, seen.running);
      seen.started.push(...data.numbers);
      try {
        await new Promise((resolve) => setTimeout(resolve, (7 - data.numbers[0]!) * 4));
        const failure = data.numbers.map((n) => failing.get(n)).find((error) => error !== undefined);
        if (failure !== undefined) throw failure;
        return { lines: data.numbers.map((n) => JSON.stringify({ n, run_identity: 'run' })) };
      } finally {
        seen.running--;
      }
    },
  };
}

function echoPlan(committed: number[][]): ShardPlan<number, EchoJob> {
  return {
    kind: 'echo',
    runId: 'echo',
    runIdentity: 'run',
    shards: planShards([1, 2, 3, 4, 5, 6], 1),
    keyOf: String,
    recordKeyOf: (record) => String(record['n']),
    done: new Set(),
    jobData: (shard) => ({ kind: 'echo', runId: 'echo', shard: shard.shard, dataRoot: '/', numbers: shard.items }),
    commit: async (lines) => void committed.push(lines.map((line) => (JSON.parse(line) as { n: number }).n)),
  };
}

describe('inProcessRunner with concurrency', () => {
  it('works on up to `concurrency` shards at once and commits them in plan order, counting progress per committed shard', async () => {
    const seen = { running: 0, most: 0, started: [] as number[] };
    const committed: number[][] = [];
    const events: RunnerEvent[] = [];
    await runShards({ definition: echoKind(seen), plan: echoPlan(committed), runner: inProcessRunner({ concurrency: 3 }), onEvent: (event) => events.push(event) });
    expect(committed).toEqual([[1], [2], [3], [4], [5], [6]]);
    expect(seen.most).toBe(3);
    expect(events.map((event) => (event.type === 'progress' && event.stage === 'units' ? event.done : -1))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a failure it may keep going after: the other shards still run, nothing past it is committed, and every failed shard is reported in plan order', async () => {
    const seen = { running: 0, most: 0, started: [] as number[] };
    const committed: number[][] = [];
    const failing = new Map<number, Error>([
      [5, new RetryableFailure('five')],
      [3, new RetryableFailure('three')],
    ]);
    const run = runShards({ definition: echoKind(seen, failing), plan: echoPlan(committed), runner: inProcessRunner({ concurrency: 2, keepGoing: (error) => error instanceof RetryableFailure }) });
    const error = (await run.catch((caught: unknown) => caught)) as ShardsFailedError<number>;
    expect(ShardsFailedError.isInstance(error)).toBe(true);
    expect(error.failed.map((failure) => [failure.shard.items, (failure.error as Error).message])).toEqual([
      [[3], 'three'],
      [[5], 'five'],
    ]);
    expect(error.stoppedBy).toBeUndefined();
    expect(error.committedUnits).toBe(2);
    expect(committed).toEqual([[1], [2]]);
    expect([...seen.started].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('any other failure stops it from starting more shards: reported as stoppedBy with keepGoing, thrown as it is without', async () => {
    const fatal = new Error('wrong key');
    const seen = { running: 0, most: 0, started: [] as number[] };
    const committed: number[][] = [];
    const run = runShards({ definition: echoKind(seen, new Map([[2, fatal]])), plan: echoPlan(committed), runner: inProcessRunner({ concurrency: 1, keepGoing: (error) => error instanceof RetryableFailure }) });
    const error = (await run.catch((caught: unknown) => caught)) as ShardsFailedError<number>;
    expect(error.stoppedBy).toBe(fatal);
    expect(error.failed.map((failure) => failure.shard.items)).toEqual([[2]]);
    expect(seen.started).toEqual([1, 2]);
    expect(committed).toEqual([[1]]);
    const bare = { running: 0, most: 0, started: [] as number[] };
    await expect(runShards({ definition: echoKind(bare, new Map([[2, fatal]])), plan: echoPlan([]), runner: inProcessRunner({ concurrency: 1 }) })).rejects.toBe(fatal);
    expect(bare.started).toEqual([1, 2]);
  });
});
