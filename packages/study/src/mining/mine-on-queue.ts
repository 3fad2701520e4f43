import { coordinateRun, type CoordinatedRun } from '../queue/coordinator';
import type { QueueRunnerEvent } from '../runner/workflow-events';
import { queueRunId } from '../queue/job-pipeline';
import type { ResolvedQueueSettings } from '../queue/queue-settings';
import type { JobPipeline } from '../runner/job-kind';
import type { MinePlan } from './mine-plan';

/**
 * Mining's embed plan run on BullMQ: one `mine` job per store shard, answered by `mmvp worker`s with
 * the mine job kind; the coordinator checks each result (hash, run identity, every image once) and
 * hands it to `commit` (mineCommitter: the store append, in plan order), as the one-process run does.
 */
export async function mineOnQueue(options: {
  readonly settings: ResolvedQueueSettings;
  readonly out: string;
  readonly plan: MinePlan;
  readonly shardSize: number;
  readonly pipeline: JobPipeline;
  readonly dataRoot: string;
  readonly commit: (shard: number, lines: readonly string[]) => Promise<void>;
  readonly abortSignal?: AbortSignal;
  readonly onEvent?: (event: QueueRunnerEvent) => void;
}): Promise<CoordinatedRun & { readonly runId: string }> {
  const { plan } = options;
  const runId = queueRunId(plan.runIdentity, options.out, options.shardSize);
  const shardOf = new Map<string, number>();
  for (const shard of plan.shards) for (const path of shard.items) shardOf.set(path, shard.shard);
  const run = await coordinateRun({
    settings: options.settings,
    runId,
    kind: 'mine',
    shards: plan.shards,
    keyOf: (path) => path,
    recordKeyOf: (record) => String(record['path']),
    runIdentity: plan.runIdentity,
    done: new Set(),
    jobData: (shard) => plan.jobData(shard, { runId, pipeline: options.pipeline, dataRoot: options.dataRoot }),
    commit: (lines) => options.commit(shardOf.get(String((JSON.parse(lines[0]!) as { path: string }).path))!, lines),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  return { ...run, runId };
}
