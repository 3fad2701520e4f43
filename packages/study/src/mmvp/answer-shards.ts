import { readFile } from 'node:fs/promises';
import { queueRunId } from '../queue/job-pipeline';
import { planShards } from '../queue/job-plan';
import type { JobDataBase, JobKindDefinition, PlannedShard } from '../runner/job-kind';
import { runShards, type ShardRunner, type ShardsRun } from '../runner/run-shards';
import { answerLog, writeFileAtomic } from '@mmvp/results';
import type { AnswerStepEvent } from './mmvp-events';

/**
 * An answering workflow's plan executed on a runner (eval-mllm, pope and their endpoint twins): the
 * items cut into shards (`groupOf`: a pair stays whole), each shard's answer lines appended to
 * `answersFile` by the one writer, `plan.commit` (in process: one item per shard, so the log grows answer
 * by answer as it always did). The queue commits jobs as they finish, so its file
 * is rewritten in item order at the end, byte-identical to the in-process run's (which commits in order).
 */
export async function answerShards<Item, Data extends JobDataBase, Parts>(options: {
  readonly definition: JobKindDefinition<Data, Parts>;
  readonly runner: ShardRunner;
  /** Items per queue job (whole groups). In process every item is its own shard, committed as soon as it is answered (a kill loses at most the answer in hand). */
  readonly shardSize: number;
  readonly items: readonly Item[];
  readonly keyOf: (item: Item) => string;
  /** Items of one group (an MMVP pair) stay in one shard. */
  readonly groupOf?: (item: Item) => string;
  readonly recordKeyOf: (record: Record<string, unknown>) => string;
  readonly runIdentity: string;
  readonly out: string;
  readonly answersFile: string;
  readonly done: ReadonlySet<string>;
  readonly jobData: (runId: string, shard: PlannedShard<Item>) => NoInfer<Data>;
  readonly abortSignal?: AbortSignal;
  /** The runner's progress (units as `answers`, queue jobs as `jobs`) and warnings. */
  readonly onEvent?: (event: AnswerStepEvent) => void;
}): Promise<ShardsRun & { readonly asked: number; readonly runId: string }> {
  const runId = queueRunId(options.runIdentity, options.out, options.shardSize);
  const groupOf = options.runner.kind === 'queue' ? options.groupOf : undefined;
  const shards = planShards(options.items, options.runner.kind === 'queue' ? options.shardSize : 1, groupOf === undefined ? undefined : (item) => groupOf(item));
  const done = new Set(options.done);
  const before = done.size;
  const log = answerLog(options.answersFile);
  const run = await runShards({
    definition: options.definition,
    runner: options.runner,
    plan: {
      kind: options.definition.kind,
      runId,
      runIdentity: options.runIdentity,
      shards,
      keyOf: options.keyOf,
      recordKeyOf: options.recordKeyOf,
      done,
      jobData: (shard) => options.jobData(runId, shard),
      commit: (lines) => log.appendLines(lines),
    },
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    onEvent: (event) => options.onEvent?.(event.type === 'warning' ? event : { ...event, stage: event.stage === 'units' ? 'answers' : 'jobs' }),
  });
  if (options.runner.kind === 'queue') await sortAnswerFile(options.answersFile, options.items.map(options.keyOf), options.recordKeyOf);
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
