import type { JobPipeline } from '../runner/job-kind';
import { coordinateRun, type CoordinatedRun } from '../queue/coordinator';
import type { QueueRunnerEvent } from '../runner/workflow-events';
import { queueRunId } from '../queue/job-pipeline';
import type { ResolvedQueueSettings } from '../queue/queue-settings';
import { commitSweepLines, type SweepPlan } from './sweep-plan';
import type { SweepJournal } from './sweep-journal';

/**
 * The sweep's plan run on BullMQ: every shard (ratio x run of image chunks) is a `sweep` job that
 * `mmvp worker`s answer with the sweep job kind; the coordinator checks each result and commits it to
 * the journal (commitSweepLines), as the one-process sweep commits its own shards.
 */
export async function sweepOnQueue(options: {
  readonly settings: ResolvedQueueSettings;
  readonly out: string;
  readonly runIdentity: string;
  readonly plan: SweepPlan;
  readonly chunksPerShard: number;
  /** Each ratio's job pipeline (config and model files), in the plan's order. */
  readonly pipelines: readonly JobPipeline[];
  /** The folder that holds every image (a worker maps it to its --data-root). */
  readonly dataRoot: string;
  readonly journal: SweepJournal;
  readonly abortSignal?: AbortSignal;
  readonly onEvent?: (event: QueueRunnerEvent) => void;
}): Promise<CoordinatedRun & { readonly runId: string }> {
  const { plan, journal, runIdentity, pipelines, dataRoot } = options;
  const runId = queueRunId(runIdentity, options.out, options.chunksPerShard);
  const run = await coordinateRun({
    settings: options.settings,
    runId,
    kind: 'sweep',
    shards: plan.shards,
    keyOf: plan.keyOf,
    recordKeyOf: plan.recordKeyOf,
    runIdentity,
    done: plan.doneIn(journal),
    jobData: (shard) => plan.jobData(shard, { runId, runIdentity, dataRoot, pipelines }),
    commit: (lines) => commitSweepLines(journal, lines),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  return { ...run, runId };
}
