import { hostname } from 'node:os';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { MmvpError } from '@mmvp/core';
import { jobId, jobIdPrefix, type JobData, type JobKind, type JobResult, type PlannedShard } from './job-plan';
import { parseRedisUrl, type ResolvedQueueSettings } from './queue-settings';
import { checkRedisDatabase } from './redis-database';
import { checkJobResult } from '../runner/result-hash';
import type { ShardsRun } from '../runner/run-shards';
import type { QueueRunnerEvent } from '../runner/workflow-events';

/** A distributed run that cannot go on: Redis unreachable too long, a job failed for good, a result that does not check out. */
export class DistributedRunError extends MmvpError {
  static override readonly errorName = 'DistributedRunError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'DistributedRunError', message, cause: options.cause });
  }
}

/** What one coordinated run did: the runners' summary of an executed plan (shards, committed before, enqueued, adopted, workers). */
export type CoordinatedRun = ShardsRun;

/**
 * Plans, enqueues and follows one run's jobs on BullMQ, committing each job's answers (after
 * checkJobResult) through `commit`, the only writer of the run folder. Jobs already in Redis under
 * the same ids (a coordinator killed earlier) are adopted, not added again; shards whose keys are all
 * `done` are not enqueued. Ends when every planned key is committed; throws DistributedRunError when
 * a job fails for good or Redis stays unreachable longer than `unreachableTimeoutMs`.
 */
export async function coordinateRun<Item>(options: {
  readonly settings: ResolvedQueueSettings;
  readonly runId: string;
  readonly kind: JobKind;
  readonly shards: readonly PlannedShard<Item>[];
  readonly keyOf: (item: Item) => string;
  readonly recordKeyOf: (record: Record<string, unknown>) => string;
  readonly runIdentity: string;
  /** Committed keys (grows as jobs are committed). */
  readonly done: Set<string>;
  readonly jobData: (shard: PlannedShard<Item>) => JobData;
  /** Appends answer lines to the run folder (one call per job). */
  readonly commit: (lines: readonly string[], shard: PlannedShard<Item>) => Promise<void>;
  readonly abortSignal?: AbortSignal;
  /** Jobs committed of all planned (stage `jobs`, `startedAt`: shards already in the run folder before this run) and warnings (a refusing worker, Redis unreachable for a while). */
  readonly onEvent?: (event: QueueRunnerEvent) => void;
}): Promise<CoordinatedRun> {
  const { settings, runId, kind } = options;
  const connection = { ...parseRedisUrl(settings.url), enableOfflineQueue: false, connectTimeout: 5000 };
  const missing = (shard: PlannedShard<Item>) => shard.items.some((item) => !options.done.has(options.keyOf(item)));
  const pending = new Map<string, PlannedShard<Item>>();
  for (const shard of options.shards) if (missing(shard)) pending.set(jobId(runId, kind, shard.shard), shard);
  const alreadyCommitted = options.shards.length - pending.size;
  const workers = new Set<string>();
  let describe: readonly string[] | undefined;
  let enqueued = 0;
  let adopted = 0;
  if (pending.size === 0) return { shards: options.shards.length, alreadyCommitted, enqueued, adopted, workers: [] };

  const queue = new Queue(settings.queueName, { connection });
  // connection errors surface through the calls below; the last one names the cause when a call never answers
  let lastConnectionError: string | undefined;
  queue.on('error', (error) => {
    lastConnectionError = error.message;
  });
  let wake: (() => void) | undefined;
  // QueueEvents is made only once Redis has answered: its close() waits for a first connection
  let events: QueueEvents | undefined;
  const prefix = jobIdPrefix(runId, kind);
  // refusals by worker, for the periodic "no progress" line
  const refusals = new Map<string, string>();
  const followEvents = () => {
    const following = new QueueEvents(settings.queueName, { connection: { ...parseRedisUrl(settings.url), maxRetriesPerRequest: null } });
    following.on('error', () => undefined);
    following.on('completed', ({ jobId: id }) => {
      if (id.startsWith(prefix)) wake?.();
    });
    following.on('failed', ({ jobId: id }) => {
      if (id.startsWith(prefix)) wake?.();
    });
    following.on('progress', ({ jobId: id, data }) => {
      const refusal = data as { refusedBy?: string; reason?: string } | undefined;
      if (id.startsWith(prefix) && refusal?.refusedBy !== undefined) {
        if (!refusals.has(refusal.refusedBy)) options.onEvent?.({ type: 'warning', message: `worker ${refusal.refusedBy} refused job ${id}: ${refusal.reason ?? ''}` });
        refusals.set(refusal.refusedBy, refusal.reason ?? '');
      }
    });
    return following;
  };

  const commitJob = async (job: Job) => {
    const shard = pending.get(job.id!);
    if (shard === undefined) return;
    let byKey: Map<string, string>;
    try {
      byKey = checkJobResult({ id: job.id!, result: job.returnvalue, expectedKeys: shard.items.map(options.keyOf), runIdentity: options.runIdentity, keyOf: options.recordKeyOf });
    } catch (error) {
      // a result that does not check out is never committed; removed, so that --resume enqueues the job again
      await job.remove().catch(() => undefined);
      throw new DistributedRunError(`${(error as Error).message}; the job was removed from Redis, --resume enqueues it again`, { cause: error });
    }
    const lines: string[] = [];
    for (const item of shard.items) {
      const key = options.keyOf(item);
      if (!options.done.has(key)) lines.push(byKey.get(key)!);
    }
    await options.commit(lines, shard);
    for (const item of shard.items) options.done.add(options.keyOf(item));
    pending.delete(job.id!);
    const result = job.returnvalue as JobResult & { describe?: readonly string[] };
    workers.add(result.worker);
    describe ??= result.describe;
    await job.remove().catch(() => undefined); // committed: Redis need not keep it
  };

  // Redis calls retried while the server is away (a restart), up to unreachableTimeoutMs.
  let unreachableSince: number | undefined;
  let warned = false;
  const withRedis = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      const value = await call();
      if (unreachableSince !== undefined && warned) options.onEvent?.({ type: 'warning', message: `Redis at ${settings.url} is reachable again` });
      unreachableSince = undefined;
      warned = false;
      return value;
    } catch (error) {
      if (error instanceof DistributedRunError) throw error;
      if (!isConnectionError(error)) throw error;
      unreachableSince ??= Date.now();
      if (!warned) options.onEvent?.({ type: 'warning', message: `Redis at ${settings.url} is unreachable (${(error as Error).message}); retrying for up to ${Math.round(settings.unreachableTimeoutMs / 1000)} s` });
      warned = true;
      if (Date.now() - unreachableSince > settings.unreachableTimeoutMs) {
        throw new DistributedRunError(
          `Redis at ${settings.url} unreachable for ${Math.round((Date.now() - unreachableSince) / 1000)} s while ${what}; ${options.done.size} answer(s) are committed in the run folder, ${pending.size} job(s) unfinished; start Redis and rerun with --resume`,
        );
      }
      return undefined;
    }
  };

  try {
    // BullMQ waits for its first connection without end (it retries forever), so a Redis that never
    // answers would hang the run silently; once connected, calls fail fast (no offline queue) and
    // withRedis retries them.
    const firstContact = Date.now();
    while (
      (await withDeadline(queue.waitUntilReady(), REDIS_CALL_TIMEOUT_MS, () => 'not ready').then(
        () => true,
        () => false,
      )) === false
    ) {
      options.abortSignal?.throwIfAborted();
      if (!warned)
        options.onEvent?.({ type: 'warning', message: `Redis at ${settings.url} does not answer (${lastConnectionError ?? 'no reply'}); retrying for up to ${Math.round(settings.unreachableTimeoutMs / 1000)} s` });
      warned = true;
      if (Date.now() - firstContact > settings.unreachableTimeoutMs) {
        throw new DistributedRunError(
          `Redis at ${settings.url} did not answer for ${Math.round((Date.now() - firstContact) / 1000)} s (${lastConnectionError ?? 'no reply'}); nothing was enqueued; start Redis or fix --queue, then rerun (with --resume to keep what is committed)`,
        );
      }
    }
    if (warned) options.onEvent?.({ type: 'warning', message: `Redis at ${settings.url} answers now` });
    warned = false;
    await checkRedisDatabase(await queue.client, settings.url, parseRedisUrl(settings.url).db); // a refused DB index falls back to 0 silently
    events = followEvents();
    const jobOptions = (id: string) => ({ jobId: id, attempts: settings.attempts, backoff: { type: 'exponential' as const, delay: settings.backoffMs }, removeOnComplete: false as const, removeOnFail: false as const });
    // A key that lives as long as Redis keeps its data: gone means Redis restarted empty (no AOF) or failed over, and the jobs with it.
    const sentinel = queue.toKey(`mmvp-run-${runId}-${kind}`);
    // Plan: adopt what an earlier coordinator of this run left in Redis, add the rest.
    let planned = false;
    while (!planned) {
      options.abortSignal?.throwIfAborted();
      planned =
        (await withRedis('enqueueing', async () => {
          const toAdd: { name: string; data: JobData; opts: { jobId: string; attempts: number; backoff: { type: 'exponential'; delay: number }; removeOnComplete: false; removeOnFail: false } }[] = [];
          for (const [id, shard] of pending) {
            const existing = await queue.getJob(id);
            if (existing === undefined) {
              toAdd.push({ name: kind, data: options.jobData(shard), opts: jobOptions(id) });
              continue;
            }
            adopted++;
            const state = await existing.getState();
            if (state === 'completed') await commitJob(existing);
            else if (state === 'failed') await existing.retry('failed');
          }
          if (toAdd.length > 0) await queue.addBulk(toAdd);
          enqueued += toAdd.length;
          await (await queue.client).set(sentinel, '1');
          return true;
        })) === true;
      if (!planned) await sleep(settings.pollIntervalMs);
    }

    // Follow: commit finished jobs, fail on jobs that failed for good, report counts; re-enqueue jobs Redis lost.
    let lastProgress = Date.now();
    let lastDone = pending.size;
    let lastNag = Date.now();
    while (pending.size > 0) {
      options.abortSignal?.throwIfAborted();
      await withRedis('following the run', async () => {
        const client = await queue.client;
        if ((await client.get(sentinel)) === null) {
          // Redis lost its data: every pending job that is not there any more is planned again (its answers were never committed)
          const lost: string[] = [];
          for (const id of pending.keys()) if ((await queue.getJob(id)) === undefined) lost.push(id);
          if (lost.length > 0) await queue.addBulk(lost.map((id) => ({ name: kind, data: options.jobData(pending.get(id)!), opts: jobOptions(id) })));
          enqueued += lost.length;
          await client.set(sentinel, '1');
          options.onEvent?.({
            type: 'warning',
            message: `Redis at ${settings.url} lost this run's jobs (restarted without its data, or failed over); enqueued ${lost.length} unfinished job(s) again (${options.done.size} answer(s) are committed in the run folder)`,
          });
        }
        const finished = await queue.getJobs(['completed'], 0, 999, true);
        for (const job of finished) if (job !== undefined && pending.has(job.id!)) await commitJob(job);
        const failed = (await queue.getJobs(['failed'], 0, 999, true)).filter((job) => job !== undefined && pending.has(job.id!));
        if (failed.length > 0) {
          const job = failed[0]!;
          throw new DistributedRunError(
            `job ${job.id} failed after ${job.attemptsMade} attempt(s): ${job.failedReason}; ${options.done.size} answer(s) are committed in the run folder; fix the cause and rerun with --resume (failed jobs are retried)`,
          );
        }
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (pending.size !== lastDone) {
          lastDone = pending.size;
          lastProgress = Date.now();
        } else if (Date.now() - lastProgress >= settings.noProgressWarningMs && Date.now() - lastNag >= settings.noProgressWarningMs) {
          lastNag = Date.now();
          const refused = [...refusals.entries()].map(([worker, reason]) => `${worker}: ${reason}`);
          options.onEvent?.({
            type: 'warning',
            message:
              `no job finished in ${Math.round((Date.now() - lastProgress) / 1000)} s (${counts['waiting'] ?? 0} waiting, ${counts['active'] ?? 0} active, ${pending.size} unfinished); ` +
              (refused.length > 0 ? `refused by ${refused.length} worker(s): ${refused.join('; ')}` : `are mmvp workers running with --queue ${settings.url} --queue-name ${settings.queueName}?`),
          });
        }
        options.onEvent?.({
          type: 'progress',
          stage: 'jobs',
          done: options.shards.length - pending.size,
          total: options.shards.length,
          startedAt: alreadyCommitted,
          waiting: (counts['waiting'] ?? 0) + (counts['delayed'] ?? 0) + (counts['prioritized'] ?? 0),
          active: counts['active'] ?? 0,
        });
      });
      if (pending.size === 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    // close() can wait for a connection that never comes: not past the deadline
    await withDeadline(Promise.allSettled([queue.close(), events?.close()]), REDIS_CALL_TIMEOUT_MS, () => 'close').catch(() => undefined);
  }
  const unanswered = options.shards.flatMap((shard) => shard.items.map(options.keyOf)).filter((key) => !options.done.has(key));
  if (unanswered.length > 0) throw new DistributedRunError(`${unanswered.length} question(s) have no committed answer after every job finished (${unanswered.slice(0, 5).join(', ')}); rerun with --resume`);
  return { shards: options.shards.length, alreadyCommitted, enqueued, adopted, workers: [...workers].sort(), ...(describe === undefined ? {} : { describe }) };
}

/** host:pid of this process (how workers sign their results). */
export function processName(): string {
  return `${hostname()}:${process.pid}`;
}

function isConnectionError(error: unknown): boolean {
  const message = String((error as Error)?.message ?? error);
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection is closed|connect|Stream isn't writeable|enableOfflineQueue|LOADING|MaxRetriesPerRequest|socket/i.test(message);
}

/** How long the coordinator waits for Redis's first reply (and for close) before it says so. */
const REDIS_CALL_TIMEOUT_MS = 5_000;

/** `promise`, or a rejection (a connection error, by its message) once `ms` have passed. */
function withDeadline<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
