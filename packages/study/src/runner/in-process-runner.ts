import type { JobDataBase, JobKindDefinition, LoadedParts, ShardContext } from './job-kind';
import { checkJobResult, hashResultLines } from './result-hash';
import type { RunShardsOptions, ShardPlan, ShardRunner, ShardsRun } from './run-shards';
import { warmPipelines, type WorkerComponents } from './warm-pipelines';

/** Options of the in-process runner. */
export interface InProcessRunnerOptions {
  /**
   * Parts the workflow loaded itself (a Pipeline it already described, a test's stand-in answerer, an
   * endpoint answerer with the run folder's response cache): every shard runs on them and the runner
   * loads nothing. Without them, the runner loads the kind's parts (`definition.load`) once per pipeline
   * identity, as a worker does (model files checked against the job's identity), and disposes them at the end.
   */
  readonly parts?: unknown;
  /**
   * What runShard gets for a job, when the workflow holds different parts per job (the sweep: each ratio's
   * adapter and decoder over encoders it shares): parts, roots and config. The runner adds the signal and
   * calls `onUnit` after its own progress event. Takes precedence over `parts`.
   */
  readonly contextOf?: (data: JobDataBase) => Omit<ShardContext<unknown>, 'signal'>;
  /** Components the runner may load (default: the built-in encoders). */
  readonly components?: WorkerComponents;
}

/**
 * The in-process runner: each shard with an uncommitted key, in plan order, gets its job data (the
 * uncommitted items only), the kind's `runShard` on this process's parts, the same check as a
 * worker's result (checkJobResult) and `plan.commit`. Progress per unit through the kind's `onUnit`.
 * A kill loses at most the shard in hand: committed shards are a prefix of the plan, so a resumed run
 * writes the same bytes as an uninterrupted one.
 */
export function inProcessRunner(options: InProcessRunnerOptions = {}): ShardRunner {
  return {
    kind: 'in-process',
    async execute<Item, Data extends JobDataBase>(definition: JobKindDefinition<Data>, plan: ShardPlan<Item, Data>, run: RunShardsOptions): Promise<ShardsRun> {
      const signal = run.abortSignal;
      const total = plan.shards.reduce((sum, shard) => sum + shard.items.length, 0);
      const startedAt = plan.shards.reduce((sum, shard) => sum + shard.items.filter((item) => plan.done.has(plan.keyOf(item))).length, 0);
      let finished = startedAt;
      const pool =
        options.parts === undefined && options.contextOf === undefined && definition.load !== undefined
          ? warmPipelines({ maxModels: 1, ...(options.components === undefined ? {} : { components: options.components }) })
          : undefined;
      let alreadyCommitted = 0;
      let describe: readonly string[] | undefined;
      run.onEvent?.({ type: 'progress', stage: 'units', done: finished, total, startedAt });
      try {
        for (const shard of plan.shards) {
          const pending = shard.items.filter((item) => !plan.done.has(plan.keyOf(item)));
          if (pending.length === 0) {
            alreadyCommitted++;
            continue;
          }
          signal?.throwIfAborted();
          const data = plan.jobData({ shard: shard.shard, items: pending });
          const context = (parts: unknown, modelsRoot: string, config?: ShardContext<unknown>['config']): ShardContext<unknown> => ({
            parts,
            dataRoot: data.dataRoot,
            modelsRoot,
            ...(config === undefined ? {} : { config }),
            ...(signal === undefined ? {} : { signal }),
            onUnit: () => run.onEvent?.({ type: 'progress', stage: 'units', done: ++finished, total, startedAt }),
          });
          const load = definition.load;
          const supplied = options.contextOf?.(data);
          const output =
            supplied !== undefined
              ? await definition.runShard(data, {
                  ...supplied,
                  ...(signal === undefined ? {} : { signal }),
                  onUnit: () => {
                    run.onEvent?.({ type: 'progress', stage: 'units', done: ++finished, total, startedAt });
                    supplied.onUnit?.();
                  },
                })
              : pool !== undefined && load !== undefined
                ? await pool.use(load.pipelineOf(data), load as unknown as { name: string; create: typeof load.create }, (parts: LoadedParts, modelsRoot, config) =>
                    definition.runShard(data, context(parts, modelsRoot, config)),
                  )
                : await definition.runShard(data, context(options.parts, load?.pipelineOf(data).modelsRoot ?? data.dataRoot));
          const byKey = checkJobResult({
            id: `${plan.kind} shard ${shard.shard}`,
            result: { lines: output.lines, sha256: hashResultLines(output.lines), worker: 'in-process' },
            expectedKeys: pending.map(plan.keyOf),
            runIdentity: plan.runIdentity,
            keyOf: plan.recordKeyOf,
          });
          await plan.commit(
            pending.map((item) => byKey.get(plan.keyOf(item))!),
            { shard: shard.shard, items: pending },
          );
          for (const item of pending) plan.done.add(plan.keyOf(item));
          describe ??= output.describe;
        }
      } finally {
        await pool?.dispose();
      }
      return { shards: plan.shards.length, alreadyCommitted, enqueued: 0, adopted: 0, workers: [], ...(describe === undefined ? {} : { describe }) };
    },
  };
}
