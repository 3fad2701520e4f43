import { appendFile, readFile } from 'node:fs/promises';
import type { ProgressListener } from '../mmvp/progress-events';
import { coordinateRun, type CoordinatedRun } from './coordinator';
import { planShards, type JobData, type JobKind, type PlannedShard } from './job-plan';
import { queueRunId } from './job-pipeline';
import type { ResolvedQueueSettings } from './queue-settings';
import { writeFileAtomic } from '@mmvp/results';

/**
 * The queue path of an answering workflow (eval-mllm, pope): plans the items into shards, lets
 * coordinateRun follow the jobs and append each checked job's lines to `answersFile` (one append per
 * job), then rewrites the file in item order, so it is byte-identical to the one-process run's.
 */
export async function answerThroughQueue<Item>(options: {
  readonly settings: ResolvedQueueSettings;
  readonly kind: JobKind;
  readonly defaultShardSize: number;
  readonly items: readonly Item[];
  readonly keyOf: (item: Item) => string;
  /** Items of one group (an MMVP pair) stay in one shard. */
  readonly groupOf?: (item: Item) => string;
  readonly recordKeyOf: (record: Record<string, unknown>) => string;
  readonly runIdentity: string;
  readonly out: string;
  readonly answersFile: string;
  readonly done: ReadonlySet<string>;
  readonly jobData: (runId: string, shard: PlannedShard<Item>) => JobData;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}): Promise<CoordinatedRun & { readonly asked: number; readonly runId: string }> {
  const shardSize = options.settings.shardSize ?? options.defaultShardSize;
  const runId = queueRunId(options.runIdentity, options.out, shardSize);
  const shards = planShards(options.items, shardSize, options.groupOf === undefined ? undefined : (item) => options.groupOf!(item));
  const done = new Set(options.done);
  const before = done.size;
  const run = await coordinateRun({
    settings: options.settings,
    runId,
    kind: options.kind,
    shards,
    keyOf: options.keyOf,
    recordKeyOf: options.recordKeyOf,
    runIdentity: options.runIdentity,
    done,
    jobData: (shard) => options.jobData(runId, shard),
    commit: async (lines) => {
      if (lines.length > 0) await appendFile(options.answersFile, `${lines.join('\n')}\n`);
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEvent: (event) => {
      if (event.kind === 'warning') options.onProgress?.(event);
      else options.onProgress?.({ kind: 'progress', stage: 'jobs', done: event.done, total: event.total, startedAt: event.startedAt });
    },
  });
  await sortAnswerFile(options.answersFile, options.items.map(options.keyOf), options.recordKeyOf);
  return { ...run, asked: done.size - before, runId };
}

/** Rewrites the answer file with its lines in `order` (lines of unknown keys last, as they were). */
async function sortAnswerFile(file: string, order: readonly string[], keyOf: (record: Record<string, unknown>) => string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text.split('\n').filter((line) => line.length > 0);
  const rank = new Map(order.map((key, index) => [key, index]));
  const ranked = lines.map((line, index) => ({ line, index, rank: rank.get(keyOf(JSON.parse(line) as Record<string, unknown>)) ?? order.length + index }));
  ranked.sort((a, b) => a.rank - b.rank);
  const sorted = ranked.map((entry) => `${entry.line}\n`).join('');
  if (sorted !== text) await writeFileAtomic(file, sorted);
}

/** What a distributed run's coordinator did (the CLI prints it; --resume tests check it). */
export interface QueueRunSummary {
  readonly runId: string;
  readonly shards: number;
  readonly alreadyCommitted: number;
  readonly enqueued: number;
  readonly adopted: number;
  readonly workers: readonly string[];
}

/** One line on what a distributed run's coordinator did: `queue run ID: 12 job(s): 3 already committed, 7 enqueued, 2 adopted from Redis; workers a:1, b:2`. */
export function queueSummaryLine(summary: QueueRunSummary): string {
  return (
    `queue run ${summary.runId}: ${summary.shards} job(s): ${summary.alreadyCommitted} already committed, ${summary.enqueued} enqueued, ${summary.adopted} adopted from Redis` +
    (summary.workers.length > 0 ? `; answered by ${summary.workers.join(', ')}` : '')
  );
}
