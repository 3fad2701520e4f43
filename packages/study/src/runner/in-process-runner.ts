import type { JobDataBase, JobKindDefinition, LoadedParts, PlannedShard, ShardContext } from './job-kind';
import { checkJobResult, hashResultLines } from './result-hash';
import type { RunShardsOptions, ShardPlan, ShardRunner, ShardsRun } from './run-shards';
import { ShardsFailedError, type FailedShard } from './shards-failed-error';
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
  /**
   * Shards worked on at once (default 1): an endpoint run asks up to its request limit at once, one question a
   * shard. Commits stay in plan order (a shard that finishes early waits for the ones before it).
   */
  readonly concurrency?: number;
  /**
   * Which failures of a shard let the others go on (an endpoint's request that failed for good: the rest are still
   * asked, so their replies are cached). With it, the run ends with a {@link ShardsFailedError} listing every failed
   * shard; without it, the first failure stops the run and is thrown as it is.
   */
  readonly keepGoing?: (error: unknown) => boolean;
}

/**
 * The in-process runner: each shard with an uncommitted key, in plan order, gets its job data (the
 * uncommitted items only), the kind's `runShard` on this process's parts, the same check as a
 * worker's result (checkJobResult) and `plan.commit`. Progress per unit through the kind's `onUnit`
 * (with `concurrency` above 1: per committed shard). Up to `concurrency` shards are worked on at once;
 * they are committed in plan order, and nothing past a failed shard is committed. A kill loses at most
 * the shards in hand: committed shards are a prefix of the plan, so a resumed run writes the same bytes
 * as an uninterrupted one.
 */
export function inProcessRunner(options: InProcessRunnerOptions = {}): ShardRunner {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  return {
    kind: 'in-process',
    async execute<Item, Data extends JobDataBase>(definition: JobKindDefinition<Data>, plan: ShardPlan<Item, Data>, run: RunShardsOptions): Promise<ShardsRun> {
      const signal = run.abortSignal;
      const total = plan.shards.reduce((sum, shard) => sum + shard.items.length, 0);
      const startedAt = plan.shards.reduce((sum, shard) => sum + shard.items.filter((item) => plan.done.has(plan.keyOf(item))).length, 0);
      let finished = startedAt;
      const unitDone = () => run.onEvent?.({ type: 'progress', stage: 'units', done: ++finished, total, startedAt });
      // several shards at once finish out of order: progress counts what is committed
      const countPerUnit = concurrency === 1;
      const pool =
        options.parts === undefined && options.contextOf === undefined && definition.load !== undefined
          ? warmPipelines({ maxModels: 1, ...(options.components === undefined ? {} : { components: options.components }) })
          : undefined;
      const work: PlannedShard<Item>[] = [];
      for (const shard of plan.shards) {
        const pending = shard.items.filter((item) => !plan.done.has(plan.keyOf(item)));
        if (pending.length > 0) work.push({ shard: shard.shard, items: pending });
      }
      const alreadyCommitted = plan.shards.length - work.length;
      let describe: readonly string[] | undefined;
      run.onEvent?.({ type: 'progress', stage: 'units', done: finished, total, startedAt });

      /** One shard's work, checked: its lines in item order. */
      const runOne = async (shard: PlannedShard<Item>): Promise<{ lines: string[]; describe?: readonly string[] }> => {
        const data = plan.jobData(shard);
        const context = (parts: unknown, modelsRoot: string, config?: ShardContext<unknown>['config']): ShardContext<unknown> => ({
          parts,
          dataRoot: data.dataRoot,
          modelsRoot,
          ...(config === undefined ? {} : { config }),
          ...(signal === undefined ? {} : { signal }),
          ...(countPerUnit ? { onUnit: unitDone } : {}),
        });
        const load = definition.load;
        const supplied = options.contextOf?.(data);
        const output =
          supplied !== undefined
            ? await definition.runShard(data, {
                ...supplied,
                ...(signal === undefined ? {} : { signal }),
                onUnit: () => {
                  if (countPerUnit) unitDone();
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
          expectedKeys: shard.items.map(plan.keyOf),
          runIdentity: plan.runIdentity,
          keyOf: plan.recordKeyOf,
        });
        return { lines: shard.items.map((item) => byKey.get(plan.keyOf(item))!), ...(output.describe === undefined ? {} : { describe: output.describe }) };
      };

      const outcomes: ({ readonly lines: string[]; readonly describe?: readonly string[] } | { readonly error: unknown } | undefined)[] = new Array(work.length);
      const failed: FailedShard<Item>[] = [];
      let stoppedBy: unknown;
      let stopped = false;
      let commitError: unknown;
      let next = 0;
      let committed = 0;
      let committedUnits = 0;
      let commits = Promise.resolve();
      // the single writer, in plan order: every finished shard up to the first unfinished or failed one
      const commitReady = async () => {
        for (let outcome = outcomes[committed]; commitError === undefined && outcome !== undefined && 'lines' in outcome; outcome = outcomes[committed]) {
          const shard = work[committed]!;
          try {
            await plan.commit(outcome.lines, shard);
          } catch (error) {
            commitError = error;
            stopped = true;
            return;
          }
          for (const item of shard.items) plan.done.add(plan.keyOf(item));
          describe ??= outcome.describe;
          committed++;
          committedUnits += shard.items.length;
          if (!countPerUnit) {
            finished += shard.items.length;
            run.onEvent?.({ type: 'progress', stage: 'units', done: finished, total, startedAt });
          }
        }
      };
      const aborted = () => signal?.aborted === true;
      const lane = async () => {
        while (next < work.length && !stopped && !aborted()) {
          const index = next++;
          try {
            outcomes[index] = await runOne(work[index]!);
          } catch (error) {
            outcomes[index] = { error };
            // an abort's errors are the abort, not failures of the shards
            if (!aborted()) {
              failed.push({ shard: work[index]!, error });
              if (options.keepGoing?.(error) !== true) {
                stopped = true;
                stoppedBy ??= error;
              }
            }
          }
          commits = commits.then(commitReady);
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, work.length)) }, lane));
        await commits;
      } finally {
        await pool?.dispose();
      }
      if (commitError !== undefined) throw commitError;
      if (committed < work.length) signal?.throwIfAborted();
      if (failed.length > 0) {
        if (options.keepGoing === undefined) throw stoppedBy;
        const order = new Map(work.map((shard, index) => [shard, index]));
        failed.sort((a, b) => order.get(a.shard)! - order.get(b.shard)!);
        throw new ShardsFailedError<Item>({ failed, stoppedBy, committedUnits });
      }
      return { shards: plan.shards.length, alreadyCommitted, enqueued: 0, adopted: 0, workers: [], ...(describe === undefined ? {} : { describe }) };
    },
  };
}
