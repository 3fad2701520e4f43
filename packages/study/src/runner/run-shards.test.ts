import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planShards } from '../queue/job-plan';
import { queueSettingsSchema } from '../queue/queue-settings';
import { queueRunner } from '../queue/queue-runner';
import { startWorker, type RunningWorker } from '../queue/start-worker';
import { startLocalRedisServer, type LocalRedisServer } from '../queue/test-redis-server';
import { inProcessRunner } from './in-process-runner';
import { jobKindTable, type JobDataBase, type JobKindDefinition, type JobPipeline } from './job-kind';
import { runShards, type RunnerEvent, type ShardPlan, type ShardRunner } from './run-shards';

// One job kind executed by both runners through the same plan, job data, runShard and commit: the
// committed lines must be the same, whatever runs them. The expected lines are written out by hand.

interface SquareJob extends JobDataBase {
  readonly kind: 'square';
  readonly pipeline: JobPipeline;
  readonly numbers: readonly number[];
}

/** A pipeline of no model files (its identity: the hash over nothing), so the warm pool can load it here. */
const emptyPipeline: JobPipeline = { config: {}, modelsRoot: '/', modelFiles: [], modelFilesSha256: createHash('sha256').update('').digest('hex') };

function squareKind(created: { count: number }, offset = 0): JobKindDefinition<SquareJob, { readonly factor: number }> {
  return {
    kind: 'square',
    unitsOf: (data) => data.numbers.length,
    load: {
      name: 'square',
      pipelineOf: (data) => data.pipeline,
      create: async () => {
        created.count++;
        return { factor: 1, dispose: async () => undefined };
      },
    },
    async runShard(data, context) {
      const lines: string[] = [];
      for (const n of data.numbers) {
        lines.push(JSON.stringify({ n: n + offset, square: context.parts.factor * n * n, run_identity: 'run' }));
        context.onUnit?.();
      }
      return { lines };
    },
  };
}

function plan(committed: string[][], done: Set<string>): ShardPlan<number, SquareJob> {
  return {
    kind: 'square',
    runId: `squares${Math.random().toString(16).slice(2, 10)}`,
    runIdentity: 'run',
    shards: planShards([1, 2, 3, 4, 5, 6, 7], 3),
    keyOf: String,
    recordKeyOf: (record) => String(record['n']),
    done,
    jobData: (shard) => ({ kind: 'square', runId: 'r', shard: shard.shard, dataRoot: '/', pipeline: emptyPipeline, numbers: shard.items }),
    commit: async (lines) => void committed.push([...lines]),
  };
}

const line = (n: number) => `{"n":${n},"square":${n * n},"run_identity":"run"}`;

let redis: LocalRedisServer;
beforeAll(async () => {
  redis = await startLocalRedisServer();
});
afterAll(() => redis.stop());

describe('runShards', () => {
  it('in process: each shard with an uncommitted key runs once on parts loaded once per pipeline identity, its uncommitted lines committed in order', async () => {
    const created = { count: 0 };
    const committed: string[][] = [];
    const events: RunnerEvent[] = [];
    const done = new Set(['2', '4', '5', '6']);
    const run = await runShards({ definition: squareKind(created), plan: plan(committed, done), runner: inProcessRunner(), onEvent: (event) => events.push(event) });
    // shards [1,2,3] [4,5,6] [7]: the second is committed already, the first runs its two uncommitted numbers only
    expect(committed).toEqual([[line(1), line(3)], [line(7)]]);
    expect(run).toMatchObject({ shards: 3, alreadyCommitted: 1, enqueued: 0, adopted: 0, workers: [] });
    expect(created.count).toBe(1);
    expect([...done].sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(events).toEqual([
      { type: 'progress', stage: 'units', done: 4, total: 7, startedAt: 4 },
      { type: 'progress', stage: 'units', done: 5, total: 7, startedAt: 4 },
      { type: 'progress', stage: 'units', done: 6, total: 7, startedAt: 4 },
      { type: 'progress', stage: 'units', done: 7, total: 7, startedAt: 4 },
    ]);
  });

  it('in process: a shard whose lines are not its keys is refused by the same check as a worker result; nothing of it is committed', async () => {
    const committed: string[][] = [];
    const error = await runShards({ definition: squareKind({ count: 0 }, 100), plan: plan(committed, new Set()), runner: inProcessRunner() }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('job square shard 0: answers 101, which is not one of its questions; nothing of it was committed');
    expect(committed).toEqual([]);
  });

  it('in process with parts given by the workflow: nothing is loaded', async () => {
    const created = { count: 0 };
    const committed: string[][] = [];
    await runShards({ definition: squareKind(created), plan: plan(committed, new Set()), runner: inProcessRunner({ parts: { factor: 1 } }) });
    expect(created.count).toBe(0);
    expect(committed.flat()).toEqual([1, 2, 3, 4, 5, 6, 7].map(line));
  });

  it('on the queue: workers run the same definition from their kind table; the same lines are committed', async () => {
    const created = { count: 0 };
    const definition = squareKind(created);
    const workers: RunningWorker[] = await Promise.all([1, 2].map(() => startWorker({ url: redis.url, queueName: 'squares', kinds: jobKindTable([definition]) })));
    const queued: string[][] = [];
    try {
      const runner: ShardRunner = queueRunner(queueSettingsSchema.parse({ url: redis.url, queueName: 'squares', attempts: 1 }));
      const run = await runShards({ definition, plan: plan(queued, new Set(['5'])), runner });
      expect(run).toMatchObject({ shards: 3, alreadyCommitted: 0, enqueued: 3 });
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
    const inProcess: string[][] = [];
    await runShards({ definition, plan: plan(inProcess, new Set(['5'])), runner: inProcessRunner() });
    // the queue commits jobs as they finish: compare as sets of shard commits
    const sorted = (commits: string[][]) => commits.map((lines) => lines.join('\n')).sort();
    expect(sorted(queued)).toEqual(sorted(inProcess));
    expect(sorted(queued)).toEqual(sorted([[line(1), line(2), line(3)], [line(4), line(6)], [line(7)]]));
  }, 30_000);

  it('a worker fails a job of a kind it does not know, naming the kinds it runs', async () => {
    const worker = await startWorker({ url: redis.url, queueName: 'unknown-kind', kinds: jobKindTable([squareKind({ count: 0 })]) });
    try {
      const runner = queueRunner(queueSettingsSchema.parse({ url: redis.url, queueName: 'unknown-kind', attempts: 1 }));
      const cube = { ...squareKind({ count: 0 }), kind: 'cube' } as unknown as JobKindDefinition<SquareJob>;
      const cubes: ShardPlan<number, SquareJob> = { ...plan([], new Set()), kind: 'cube' as 'square', jobData: (shard) => ({ ...plan([], new Set()).jobData(shard), kind: 'cube' as 'square' }) };
      await expect(runShards({ definition: cube, plan: cubes, runner })).rejects.toThrow(/has kind 'cube'; this worker runs square \(update mmvp on this machine\?\)/);
    } finally {
      await worker.close();
    }
  }, 30_000);
});
