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

async function run(queueName: string, answerJob: (data: JobData) => Promise<string[]>, committed: string[][]) {
  const workers: RunningWorker[] = await Promise.all([1, 2].map(() => startWorker({ url: redis.url, queueName, answerJob })));
  try {
    return await coordinateRun({
      settings: queueSettingsSchema.parse({ url: redis.url, queueName, attempts: 1 }),
      runId: `run${queueName}`,
      kind: 'eval-mllm',
      shards: planShards([1, 2, 3, 4, 5, 6, 7], 3),
      keyOf: String,
      recordKeyOf: (record) => String(record['question_id']),
      runIdentity: 'run',
      done: new Set(['5']),
      jobData: (shard) => ({ kind: 'eval-mllm', questions: shard.items.map((id) => ({ id })) }) as unknown as JobData,
      commit: async (lines) => {
        committed.push([...lines]);
      },
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}

describe('coordinateRun', () => {
  it('fails with a clear message when Redis never answers (a wrong --queue), instead of waiting forever; nothing is committed', async () => {
    const url = `redis://127.0.0.1:${await freeLoopbackPort()}`; // nothing listens there
    const warnings: string[] = [];
    const committed: string[][] = [];
    const error = await coordinateRun({
      settings: queueSettingsSchema.parse({ url, queueName: 'nobody', unreachableTimeoutMs: 1 }),
      runId: 'runnobody',
      kind: 'eval-mllm',
      shards: planShards([1, 2], 2),
      keyOf: String,
      recordKeyOf: (record) => String(record['question_id']),
      runIdentity: 'run',
      done: new Set(),
      jobData: () => ({}) as unknown as JobData,
      commit: async (lines) => {
        committed.push([...lines]);
      },
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
    const ids = (data: JobData) => ((data as unknown as { questions: unknown }).questions as { id: number }[]).map((question) => question.id);
    const result = await run(
      'happy',
      async (data) =>
        ids(data)
          .reverse()
          .map((id) => answer(id)),
      committed,
    );
    expect(result).toMatchObject({ shards: 3, alreadyCommitted: 0, enqueued: 3, adopted: 0 });
    expect(committed.map((lines) => lines.map((line) => (JSON.parse(line) as { question_id: number }).question_id)).sort((a, b) => a[0]! - b[0]!)).toEqual([[1, 2, 3], [4, 6], [7]]);
  });

  it('never commits a job whose answers are not its questions: the run fails naming the job, which is removed from Redis', async () => {
    const committed: string[][] = [];
    const error = await run('foreign', async (data) => ((data as unknown as { questions: unknown }).questions as { id: number }[]).map((question) => answer(question.id + 100)), committed).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DistributedRunError);
    expect((error as Error).message).toMatch(/^job runforeign-eval-mllm-\d: answers 10\d, which is not one of its questions; nothing of it was committed; the job was removed from Redis/);
    expect(committed).toEqual([]);
    const refused = /^job (\S+?):/.exec((error as Error).message)![1]!;
    const queue = new Queue('foreign', { connection: parseRedisUrl(redis.url) });
    expect(await queue.getJob(refused)).toBeUndefined();
    for (const shard of [0, 1, 2].map((index) => jobId('runforeign', 'eval-mllm', index)).filter((id) => id !== refused)) expect(await queue.getJob(shard)).toBeDefined(); // kept for --resume
    await queue.close();
  });

  it('a DB index Redis refuses (redis://HOST:PORT/99) fails the coordinator and the worker in one line; nothing is enqueued in database 0 (#31.7)', async () => {
    const url = `${redis.url}/99`;
    const error = await coordinateRun({
      settings: queueSettingsSchema.parse({ url, queueName: 'db99' }),
      runId: 'rundb99',
      kind: 'eval-mllm',
      shards: planShards([1, 2], 2),
      keyOf: String,
      recordKeyOf: (record) => String(record['question_id']),
      runIdentity: 'run',
      done: new Set(),
      jobData: () => ({}) as unknown as JobData,
      commit: async () => undefined,
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(`--queue ${url}: Redis refused database 99 (its connections stay on database 0); use an index below its 'databases' setting (16 by default), e.g. ${redis.url}/1`);
    const queue = new Queue('db99', { connection: parseRedisUrl(redis.url) });
    expect(await queue.getJobCounts('waiting', 'active', 'completed')).toMatchObject({ waiting: 0, active: 0, completed: 0 });
    await queue.close();
    await expect(startWorker({ url, queueName: 'db99', answerJob: async () => [] })).rejects.toThrow(/Redis refused database 99/);
    // a database Redis has is used as asked
    const committed: string[][] = [];
    const workers = [await startWorker({ url: `${redis.url}/3`, queueName: 'db3', answerJob: async (data) => ((data as unknown as { questions: { id: number }[] }).questions ?? []).map((q) => answer(q.id)) })];
    try {
      await coordinateRun({
        settings: queueSettingsSchema.parse({ url: `${redis.url}/3`, queueName: 'db3' }),
        runId: 'rundb3',
        kind: 'eval-mllm',
        shards: planShards([1, 2], 2),
        keyOf: String,
        recordKeyOf: (record) => String(record['question_id']),
        runIdentity: 'run',
        done: new Set(),
        jobData: (shard) => ({ kind: 'eval-mllm', questions: shard.items.map((id) => ({ id })) }) as unknown as JobData,
        commit: async (lines) => void committed.push([...lines]),
      });
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
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
    const answerJob = async (data: JobData) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return ((data as unknown as { questions: { id: number }[] }).questions ?? []).map((question) => answer(question.id));
    };
    const workers = await Promise.all([1, 2].map(() => startWorker({ url: own.url, queueName: 'restart', answerJob, lockDuration: 2000, stalledInterval: 1000 })));
    try {
      const began = Date.now();
      const result = await coordinateRun({
        settings: queueSettingsSchema.parse({ url: own.url, queueName: 'restart', pollIntervalMs: 100, unreachableTimeoutMs: 20_000 }),
        runId: 'runrestart',
        kind: 'eval-mllm',
        shards: planShards([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2),
        keyOf: String,
        recordKeyOf: (record) => String(record['question_id']),
        runIdentity: 'run',
        done: new Set(),
        jobData: (shard) => ({ kind: 'eval-mllm', questions: shard.items.map((id) => ({ id })) }) as unknown as JobData,
        commit: async (lines) => {
          committed.push([...lines]);
          // after the first commit, Redis goes down and comes back with nothing
          restarted ??= own.kill().then(() => own.start());
        },
        onEvent: (event) => void (event.type === 'warning' && warnings.push(event.message)),
      });
      await restarted;
      expect(Date.now() - began).toBeLessThan(40_000);
      expect(result.shards).toBe(5);
      expect(warnings.join('\n')).toMatch(/lost this run's jobs \(restarted without its data, or failed over\); enqueued [1-4] unfinished job\(s\) again/);
      const ids = committed.flat().map((line) => (JSON.parse(line) as { question_id: number }).question_id);
      expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // every answer, once
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await own.stop();
    }
  }, 60_000);

  it("a run where no job finishes says so periodically, with the workers' refusals (#31 minor)", async () => {
    const warnings: string[] = [];
    const controller = new AbortController();
    const refusing = await startWorker({
      url: redis.url,
      queueName: 'stuck',
      refusalDelayMs: 0,
      answerJob: async () => {
        throw new ModelIdentityMismatch('model file x hashes to 000000000000... (1 bytes), the job recorded 111111111111... (1 bytes)');
      },
    });
    try {
      const run = coordinateRun({
        settings: queueSettingsSchema.parse({ url: redis.url, queueName: 'stuck', noProgressWarningMs: 1000, pollIntervalMs: 100 }),
        runId: 'runstuck',
        kind: 'eval-mllm',
        shards: planShards([1, 2], 2),
        keyOf: String,
        recordKeyOf: (record) => String(record['question_id']),
        runIdentity: 'run',
        done: new Set(),
        jobData: (shard) => ({ kind: 'eval-mllm', questions: shard.items.map((id) => ({ id })) }) as unknown as JobData,
        commit: async () => undefined,
        abortSignal: controller.signal,
        onEvent: (event) => {
          if (event.type !== 'warning') return;
          warnings.push(event.message);
          if (warnings.filter((message) => message.startsWith('no job finished')).length >= 2) controller.abort(new Error('stopped by the test'));
        },
      });
      await expect(run).rejects.toThrow('stopped by the test');
    } finally {
      await refusing.close();
    }
    const nags = warnings.filter((message) => message.startsWith('no job finished'));
    expect(nags).toHaveLength(2);
    expect(nags[0]).toMatch(/^no job finished in \d+ s \(\d+ waiting, \d+ active, 1 unfinished\); refused by 1 worker\(s\): \S+:\d+: model file x hashes to/);
  }, 30_000);
});
