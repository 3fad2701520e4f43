import type { JobDataBase, JobKindDefinition } from '../runner/job-kind';
import type { RunShardsOptions, ShardPlan, ShardRunner, ShardsRun } from '../runner/run-shards';
import { coordinateRun } from './coordinator';
import type { ResolvedQueueSettings } from './queue-settings';

/**
 * The BullMQ runner: enqueues the plan's shards as jobs (`plan.jobData`), lets `mmvp worker`s run them
 * (each through the `runShard` of the kind in its table) and commits each checked result through
 * `plan.commit` as it arrives (coordinateRun). The definition is not sent: workers hold their own table.
 */
export function queueRunner(settings: ResolvedQueueSettings): ShardRunner {
  return {
    kind: 'queue',
    execute<Item, Data extends JobDataBase>(_definition: JobKindDefinition<Data>, plan: ShardPlan<Item, Data>, run: RunShardsOptions): Promise<ShardsRun> {
      return coordinateRun({
        settings,
        runId: plan.runId,
        kind: plan.kind,
        shards: plan.shards,
        keyOf: plan.keyOf,
        recordKeyOf: plan.recordKeyOf,
        runIdentity: plan.runIdentity,
        done: plan.done,
        jobData: plan.jobData,
        commit: plan.commit,
        ...(run.abortSignal === undefined ? {} : { abortSignal: run.abortSignal }),
        ...(run.onEvent === undefined ? {} : { onEvent: run.onEvent }),
      });
    },
  };
}
