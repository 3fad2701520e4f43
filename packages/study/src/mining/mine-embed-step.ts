import { resolve } from 'node:path';
import { EmbeddingStore, type MiningModel } from '@mmvp/mining';
import { hashModelFiles, modelFilesSha256 } from '../provenance/model-files';
import { commonFolder, jobPipeline } from '../queue/job-pipeline';
import { queueSummaryLine } from '../queue/queued-answers';
import { queueSettingsSchema } from '../queue/queue-settings';
import type { MineEvent } from './mine-events';
import type { Unstamped } from '../runner/workflow-events';
import { mineJobKind, type MineModelsConfig } from './mine-job-kind';
import { mineOnQueue } from './mine-on-queue';
import type { ResolvedMineBlindPairsOptions } from './mine-options';
import { mineCommitter, planMine } from './mine-plan';
import { inProcessRunner } from '../runner/in-process-runner';
import { runShards } from '../runner/run-shards';

/**
 * Mining's embed step: the images the store lacks are planned as store shards (planMine), each shard
 * runs through the mine job kind (in this process, or on `mmvp worker`s with `queue`) and is committed
 * to the store in plan order (mineCommitter), so the store is the same bytes either way.
 */
export async function embedStep(input: {
  readonly options: ResolvedMineBlindPairsOptions;
  readonly out: string;
  readonly storeDir: string;
  readonly paths: readonly string[];
  readonly clip: MiningModel;
  readonly dino: MiningModel;
  /** Image decode worker threads in this process. */
  readonly workers: number;
  readonly emit: (event: Unstamped<MineEvent>) => void;
  readonly abortSignal?: AbortSignal;
}): Promise<{ readonly embedded: number; readonly errors: number; readonly skipped: number; readonly seconds: number }> {
  const { options, out, storeDir, paths, clip, dino, workers, emit, abortSignal: signal } = input;
  const began = performance.now();
  const store = await EmbeddingStore.open(storeDir, { models: { clip: clip.identity, dino: dino.identity }, ...(options.rebuild ? { rebuild: true } : {}) });
  const plan = await planMine({ store, paths, clip, dino, batchSize: options.batchSize, shardSize: options.shardSize });
  const committer = mineCommitter(store, [clip, dino]);
  const config: MineModelsConfig = { clip: { modelPath: resolve(options.clip) }, dino: { modelPath: resolve(options.dino) } };
  const dataRoot = commonFolder(plan.todo);
  const modelFiles = await hashModelFiles(config);
  const pipeline = jobPipeline(config, modelFiles, modelFilesSha256(modelFiles));
  if (options.queue !== undefined) {
    const distributed = await mineOnQueue({
      settings: queueSettingsSchema.parse(options.queue),
      out,
      plan,
      shardSize: options.shardSize,
      pipeline,
      dataRoot,
      commit: committer.commit,
      ...(signal === undefined ? {} : { abortSignal: signal }),
      onEvent: emit,
    });
    emit({ type: 'queue-summary', line: queueSummaryLine(distributed) });
  } else {
    let done = 0;
    const progress = () => {
      const seconds = (performance.now() - began) / 1000;
      const rate = done / Math.max(seconds, 1e-9);
      const { errors } = committer.committed();
      emit({
        type: 'embedding',
        progress: {
          done,
          total: plan.todo.length,
          skipped: plan.skipped,
          errors,
          shardsWritten: store.shardCount - (plan.shards[0]?.shard ?? store.shardCount),
          imagesPerSecond: rate,
          etaSeconds: (plan.todo.length - done) / rate,
        },
      });
    };
    // the same plan, runShard and commit as the queue path (mineOnQueue); here on the models this process loaded
    await runShards({
      definition: mineJobKind,
      plan: {
        kind: 'mine',
        runId: 'in-process',
        runIdentity: plan.runIdentity,
        shards: plan.shards,
        keyOf: (path) => path,
        recordKeyOf: (record) => String(record['path']),
        done: new Set(),
        jobData: (shard) => plan.jobData(shard, { runId: 'in-process', pipeline, dataRoot }),
        commit: (lines, shard) => committer.commit(shard.shard, lines),
      },
      runner: inProcessRunner({
        contextOf: () => ({
          parts: { clip, dino, workers },
          dataRoot,
          modelsRoot: pipeline.modelsRoot,
          onUnit: () => {
            done++;
            progress();
          },
        }),
      }),
      ...(signal === undefined ? {} : { abortSignal: signal }),
    });
  }
  return { ...committer.committed(), skipped: plan.skipped, seconds: (performance.now() - began) / 1000 };
}
