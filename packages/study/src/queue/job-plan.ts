import type { JobDataBase, PlannedShard } from '../runner/job-kind';

export type { JobPipeline, PlannedShard } from '../runner/job-kind';
export type { JobResult } from '../runner/result-hash';

/** A job's kind: the key of its JobKindDefinition in the worker's table (the workflows register them; the queue knows no workflow). */
export type JobKind = string;

/**
 * A job's deterministic id, `<run id>-<kind>-<shard>`: the same run re-planned (--resume) gets the same
 * ids. No ':' (BullMQ documents that a future major version forbids it in custom job ids).
 */
export function jobId(runId: string, kind: JobKind, shard: number): string {
  return `${jobIdPrefix(runId, kind)}${shard}`;
}

/** What every job id of one run and kind starts with. */
export function jobIdPrefix(runId: string, kind: JobKind): string {
  return `${runId}-${kind}-`;
}

/** What a job carries through Redis: plain JSON with its kind; each kind's definition knows the rest of its shape. */
export type JobData = JobDataBase;

/**
 * Cuts `items` into shards of about `shardSize` in order, never splitting a group (eval-mllm: a pair,
 * so both questions of a pair are answered by one worker). Deterministic: the same items and size give
 * the same shards, so a resumed run re-plans the same job ids.
 */
export function planShards<Item>(items: readonly Item[], shardSize: number, groupOf: (item: Item, index: number) => string = (_item, index) => String(index)): PlannedShard<Item>[] {
  const shards: PlannedShard<Item>[] = [];
  let current: Item[] = [];
  let index = 0;
  while (index < items.length) {
    const group = groupOf(items[index]!, index);
    const members: Item[] = [];
    while (index < items.length && groupOf(items[index]!, index) === group) members.push(items[index++]!);
    if (current.length > 0 && current.length + members.length > shardSize) {
      shards.push({ shard: shards.length, items: current });
      current = [];
    }
    current.push(...members);
  }
  if (current.length > 0) shards.push({ shard: shards.length, items: current });
  return shards;
}
