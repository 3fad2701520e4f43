import type { JobDataBase, JobKindDefinition, PlannedShard, ShardContext } from '../runner/job-kind';

// The sweep's local executor of a plan: what runner/run-shards.ts does for every workflow (this file goes
// when the sweep calls it). The queue path (sweep-on-queue.ts) runs the same shards through the same kind.

/**
 * Runs the shards not yet done in this process, in plan order: each shard's job through the kind's
 * `runShard`, then `commit` with its lines (the single writer). Returns how many shards ran.
 */
export async function runShardsInProcess<Data extends JobDataBase, Parts, Item>(options: {
  readonly kind: JobKindDefinition<Data, Parts>;
  readonly shards: readonly PlannedShard<Item>[];
  /** Whether a shard's items are all committed already (a resumed run). */
  readonly isDone: (shard: PlannedShard<Item>) => boolean;
  readonly jobData: (shard: PlannedShard<Item>) => Data;
  /** What runShard gets for a job (its loaded parts, roots, config). */
  readonly contextOf: (data: Data) => ShardContext<Parts>;
  readonly commit: (lines: readonly string[], data: Data) => Promise<void>;
  readonly signal?: AbortSignal;
}): Promise<number> {
  let ran = 0;
  for (const shard of options.shards) {
    options.signal?.throwIfAborted();
    if (options.isDone(shard)) continue;
    const data = options.jobData(shard);
    const output = await options.kind.runShard(data, options.contextOf(data));
    await options.commit(output.lines, data);
    ran++;
  }
  return ran;
}
