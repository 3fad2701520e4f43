import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { coordinateRun, DistributedRunError } from './coordinator';
import { jobId, planShards, type JobData } from './job-plan';
import { parseRedisUrl, queueSettingsSchema } from './queue-settings';
import { startWorker, type RunningWorker } from './start-worker';
import { ModelIdentityMismatch } from '../runner/warm-pipelines';
import { freeLoopbackPort, startLocalRedisServer, type LocalRedisServer } from './test-redis-server';

// coordinateRun against a real redis-server, with workers that answer without a model (startWorker's
// answerJob): what gets committed is checked line by line against the keys planned.
let redis: LocalRedisServer;
beforeAll(async () => {
  redis = await startLocalRedisServer();
});
afterAll(() => redis.stop());

const answer = (id: number, identity = 'run') => JSON.stringify({ question_id: id, run_identity: identity });
/** The question ids of a job (the jobs here carry `{ questions: [{ id }] }`). */
const questionIds = (data: JobData) => ((data as unknown as { questions?: { id: number }[] }).questions ?? []).map((question) => question.id);
/** A worker's answerJob that answers each question of the job (in `order`, after `delayMs`). */
const answering =
  (order: (ids: number[]) => number[] = (ids) => ids, delayMs = 0) =>
  async (data: JobData) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return order(questionIds(data)).map((id) => answer(id));
  };
/** A BullMQ queue handle on the test's Redis, to look at the jobs a run left. */
const queueOf = (name: string) => new Queue(name, { connection: parseRedisUrl(redis.url) });

/** coordinateRun of an eval-mllm-kind run over `items` (run id `run<queueName>`), committing into `committed`. */
function coordinate(options: {
  readonly url: string;
  readonly queueName: string;
  readonly items: readonly number[];
  readonly shardSize: number;
  readonly settings?: Record<string, unknown>;
  readonly done?: ReadonlySet<string>;
  readonly committed?: string[][];
  readonly afterCommit?: () => void;
  readonly onEvent?: Parameters<typeof coordinateRun>[0]['onEvent'];
  readonly abortSignal?: AbortSignal;
}) {
  return coordinateRun({
    settings: queueSettingsSchema.parse({ url: options.url, queueName: options.queueName, ...options.settings }),
    runId: `run${options.queueName}`,
    kind: 'eval-mllm',
    shards: planShards(options.items, options.shardSize),
    keyOf: String,
    recordKeyOf: (record) => String(record['question_id']),
    runIdentity: 'run',
    done: new Set(options.done ?? []),
    jobData: (shard) => ({ kind: 'eval-mllm', questions: shard.items.map((id) => ({ id })) }) as unknown as JobData,
    commit: async (lines) => {
      options.committed?.push([...lines]);
      options.afterCommit?.();
    },
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
  });
}

/** Runs `body` while `count` workers serve `queueName` on `url`, and closes them after. */
async function withWorkers<T>(count: number, worker: Omit<Parameters<typeof startWorker>[0], 'queueName'> & { readonly queueName: string }, body: () => Promise<T>): Promise<T> {
  const workers: RunningWorker[] = await Promise.all(Array.from({ length: count }, () => startWorker(worker)));
  try {
    return await body();
  } finally {
    await Promise.all(workers.map((running) => running.close()));
  }
}

/** Two workers with `answerJob` and a run of questions 1-7 in shards of 3, question 5 already done. */
function run(queueName: string, answerJob: (data: JobData) => Promise<string[]>, committed: string[][]) {
  return withWorkers(2, { url: redis.url, queueName, answerJob }, () => coordinate({ url: redis.url, queueName, items: [1, 2, 3, 4, 5, 6, 7], shardSize: 3, settings: { attempts: 1 }, done: new Set(['5']), committed }));
}

describe('coordinateRun', () => {
  it('fails with a clear message when Redis never answers (a wrong --queue), instead of waiting forever; nothing is committed', async () => {
    const url = `redis://127.0.0.1:${await freeLoopbackPort()}`; // nothing listens there
    const warnings: string[] = [];
    const committed: string[][] = [];
    const error = await coordinate({
      url,
      queueName: 'nobody',
      items: [1, 2],
      shardSize: 2,
      settings: { unreachableTimeoutMs: 1 },
      committed,
      onEvent: (event) => {
        if (event.type === 'warning') warnings.push(event.message);
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DistributedRunError);
    expect((error as Error).message).toMatch(new RegExp(`Redis at ${url} did not answer .*ECONNREFUSED.*nothing was enqueued`));
    expect(warnings.join('\n')).toMatch(/does not answer/);
    expect(committed).toEqual([]);
  }, 30_000);

  it("commits every planned answer once, skipping keys already done, one commit per job in the job's order", async () => {
    const committed: string[][] = [];
    const result = await run(
      'happy',
      answering((ids) => ids.reverse()),
      committed,
    );
    expect(result).toMatchObject({ shards: 3, alreadyCommitted: 0, enqueued: 3, adopted: 0 });
    expect(committed.map((lines) => lines.map((line) => (JSON.parse(line) as { question_id: number }).question_id)).sort((a, b) => a[0]! - b[0]!)).toEqual([[1, 2, 3], [4, 6], [7]]);
  });

  it('never commits a job whose answers are not its questions: the run fails naming the job, which is removed from Redis', async () => {
    const committed: string[][] = [];
    const error = await run('foreign', async (data) => questionIds(data).map((id) => answer(id + 100)), committed).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DistributedRunError);
    expect((error as Error).message).toMatch(/^job runforeign-eval-mllm-\d: answers 10\d, which is not one of its questions; nothing of it was committed; the job was removed from Redis/);
    expect(committed).toEqual([]);
    const refused = /^job (\S+?):/.exec((error as Error).message)![1]!;
    const queue = queueOf('foreign');
    expect(await queue.getJob(refused)).toBeUndefined();
    for (const shard of [0, 1, 2].map((index) => jobId('runforeign', 'eval-mllm', index)).filter((id) => id !== refused)) expect(await queue.getJob(shard)).toBeDefined(); // kept for --resume
    await queue.close();
  });

  it('a DB index Redis refuses (redis://HOST:PORT/99) fails the coordinator and the worker in one line; nothing is enqueued in database 0 (#31.7)', async () => {
    const url = `${redis.url}/99`;
    const error = await coordinate({ url, queueName: 'db99', items: [1, 2], shardSize: 2 }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(`--queue ${url}: Redis refused database 99 (its connections stay on database 0); use an index below its 'databases' setting (16 by default), e.g. ${redis.url}/1`);
    const queue = queueOf('db99');
    expect(await queue.getJobCounts('waiting', 'active', 'completed')).toMatchObject({ waiting: 0, active: 0, completed: 0 });
    await queue.close();
    await expect(startWorker({ url, queueName: 'db99', answerJob: async () => [] })).rejects.toThrow(/Redis refused database 99/);
    // a database Redis has is used as asked
    const committed: string[][] = [];
    await withWorkers(1, { url: `${redis.url}/3`, queueName: 'db3', answerJob: answering() }, () => coordinate({ url: `${redis.url}/3`, queueName: 'db3', items: [1, 2], shardSize: 2, committed }));
    expect(committed.flat()).toHaveLength(2);
  }, 30_000);

  it('queue names with ":" and other characters BullMQ refuses fail in one line naming --queue-name; job ids hold no ":" (#31.8)', () => {
    expect(() => queueSettingsSchema.parse({ url: redis.url, queueName: 'a:b' })).toThrow(/'a:b' is not a valid queue name \(--queue-name\): use 1 to 100 letters, digits, '\.', '_' or '-'/);
    expect(() => queueSettingsSchema.parse({ url: redis.url, queueName: '' })).toThrow(/is not a valid queue name/);
    expect(queueSettingsSchema.parse({ url: redis.url, queueName: 'team-a.run_2' }).queueName).toBe('team-a.run_2');
    expect(jobId('0123456789abcdef', 'pope', 3)).not.toContain(':');
    expect(() => parseRedisUrl('redis://')).toThrow("--queue 'redis://' names no host; expected redis://HOST:PORT[/DB]");
  });

  it('Redis restarted empty mid-run (no AOF): the coordinator enqueues the lost jobs again and the run completes with every answer once (#31.6)', async () => {
    const own = await startLocalRedisServer(); // no AOF: a kill loses everything
    const committed: string[][] = [];
    const warnings: string[] = [];
    let restarted: Promise<void> | undefined;
    try {
      const began = Date.now();
      const result = await withWorkers(2, { url: own.url, queueName: 'restart', answerJob: answering(undefined, 200), lockDuration: 2000, stalledInterval: 1000 }, () =>
        coordinate({
          url: own.url,
          queueName: 'restart',
          items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
          shardSize: 2,
          settings: { pollIntervalMs: 100, unreachableTimeoutMs: 20_000 },
          committed,
          // after the first commit, Redis goes down and comes back with nothing
          afterCommit: () => void (restarted ??= own.kill().then(() => own.start())),
          onEvent: (event) => void (event.type === 'warning' && warnings.push(event.message)),
        }),
      );
      await restarted;
      expect(Date.now() - began).toBeLessThan(40_000);
      expect(result.shards).toBe(5);
      expect(warnings.join('\n')).toMatch(/lost this run's jobs \(restarted without its data, or failed over\); enqueued [1-4] unfinished job\(s\) again/);
      const ids = committed.flat().map((line) => (JSON.parse(line) as { question_id: number }).question_id);
      expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // every answer, once
    } finally {
      await own.stop();
    }
  }, 60_000);

  it("a run where no job finishes says so periodically, with the workers' refusals (#31 minor)", async () => {
    const warnings: string[] = [];
    const controller = new AbortController();
    const refuse = async (): Promise<string[]> => {
      throw new ModelIdentityMismatch('model file x hashes to 000000000000... (1 bytes), the job recorded 111111111111... (1 bytes)');
    };
    await withWorkers(1, { url: redis.url, queueName: 'stuck', refusalDelayMs: 0, answerJob: refuse }, () =>
      expect(
        coordinate({
          url: redis.url,
          queueName: 'stuck',
          items: [1, 2],
          shardSize: 2,
          settings: { noProgressWarningMs: 1000, pollIntervalMs: 100 },
          abortSignal: controller.signal,
          onEvent: (event) => {
            if (event.type !== 'warning') return;
            warnings.push(event.message);
            if (warnings.filter((message) => message.startsWith('no job finished')).length >= 2) controller.abort(new Error('stopped by the test'));
          },
        }),
      ).rejects.toThrow('stopped by the test'),
    );
    const nags = warnings.filter((message) => message.startsWith('no job finished'));
    expect(nags).toHaveLength(2);
    expect(nags[0]).toMatch(/^no job finished in \d+ s \(\d+ waiting, \d+ active, 1 unfinished\); refused by 1 worker\(s\): \S+:\d+: model file x hashes to/);
  }, 30_000);
});
