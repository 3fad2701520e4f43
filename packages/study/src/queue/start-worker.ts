import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DelayedError, WaitingError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import { InvalidArgumentError } from '@mmvp/core';
import type { JobKindDefinition, JobKindTable } from '../runner/job-kind';
import { hashResultLines } from '../runner/result-hash';
import { BUILT_IN_COMPONENTS, ModelIdentityMismatch, warmPipelines, type LoadedFlavor, type WorkerComponents } from '../runner/warm-pipelines';
import { workflowEmitter } from '../runner/workflow-events';
import { processName } from './coordinator';
import type { JobData, JobResult } from './job-plan';
import { parseRedisUrl, queueNameSchema } from './queue-settings';
import { checkRedisDatabase } from './redis-database';

import { componentAllowlist, isComponentFile, loadPipelineConfig, resolveComponent } from '@mmvp/pipeline';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';

/** Units a job holds, for the log: its kind's count, or the questions of a job run by a test's `answerJob`. */
function unitsOf(data: JobData, definition: JobKindDefinition | undefined): number {
  if (definition !== undefined) return definition.unitsOf(data);
  const questions = (data as { questions?: unknown }).questions;
  return Array.isArray(questions) ? questions.length : 0;
}

/** Options of {@link startWorker}, checked with zod (the CLI declares its flags from it). */
export const startWorkerOptionsSchema = z
  .object({
    /** `redis://HOST:PORT[/DB]`, the coordinator's. */
    url: z.string().min(1),
    queueName: queueNameSchema.default('mmvp'),
    /** Jobs at once in this process (each holds its own loaded pipeline). */
    concurrency: z.number().int().positive().default(1),
    /** This machine's folder for the coordinator's models root (default: the same path). */
    modelsRoot: z.string().min(1).optional(),
    /** Pipelines (model identities) kept loaded between jobs; the least recently used is unloaded first (GPU memory). */
    maxModels: z.number().int().positive().default(2),
    /** This machine's folder for the coordinator's data folder (default: the same path). */
    dataRoot: z.string().min(1).optional(),
    /** BullMQ lock: a worker that stops renewing it for this long (killed, frozen) has its job re-run. */
    lockDuration: z.number().int().positive().default(30_000),
    /** How often this worker looks for stalled jobs of dead workers. */
    stalledInterval: z.number().int().positive().default(30_000),
    /** Stalls a job may survive before it fails for good. */
    maxStalledCount: z.number().int().nonnegative().default(3),
    /**
     * The components (encoder packages) this worker may load: package names, or pipeline config files
     * (`.json`) whose encoders' `use` lines are allowed (files inside that config's folder included).
     * Default: the built-in encoders. A job's config names code; only what is allowed here loads.
     */
    allowComponents: z.array(z.string().min(1)).optional(),
    /** How long a worker that refused a job idles before taking another (doubling per refusal in a row, up to 30 s); the job itself is back in the queue within 250 ms. */
    refusalDelayMs: z.number().int().nonnegative().default(2000),
    /** The job kinds this worker runs (the study's table: `studyJobKinds`); a job of another kind fails, naming the kinds known. */
    kinds: z.custom<JobKindTable>((value) => value === undefined || value instanceof Map).optional(),
    /** Answers a job without a model (benchmarks of the queue itself): returns its answer lines. Default: the job kind's runShard. */
    answerJob: z.function().optional(),
    /** Stops the worker as `close()` does (the jobs in hand finish, then it stops). */
    abortSignal: z.custom<AbortSignal>((value) => value === undefined || value instanceof AbortSignal).optional(),
    /** Called with the worker's events (job taken, refused, finished; typed in {@link StartWorkerOptions}). */
    onEvent: z.function().optional(),
  })
  .strict()
  .refine((options) => options.kinds !== undefined || options.answerJob !== undefined, {
    path: ['kinds'],
    message: 'give the job kinds this worker runs (e.g. studyJobKinds of @mmvp/study/queue), or answerJob',
  });

/** Options of startWorker. */
export type StartWorkerOptions = Omit<z.input<typeof startWorkerOptionsSchema>, 'onEvent' | 'answerJob' | 'kinds'> & {
  /** The job kinds this worker runs, by kind (required unless `answerJob` answers every job). */
  readonly kinds?: JobKindTable;
  /** Called with the worker's events: job taken, refused, finished, pipelines loaded. */
  readonly onEvent?: (event: WorkerEvent) => void;
  /** Answers a job without a model (benchmarks of the queue itself): returns its answer lines. */
  readonly answerJob?: (data: JobData, signal: AbortSignal | undefined) => Promise<string[]>;
};

/** What a worker reports (the `mmvp worker` command prints these): its slice of StudyEvent, `workflow: 'worker'`. */
export type WorkerEvent =
  | { readonly workflow: 'worker'; readonly type: 'ready'; readonly name: string; readonly queue: string }
  /** Redis has not answered for a while; the worker keeps trying (it waits for Redis, it does not exit). */
  | { readonly workflow: 'worker'; readonly type: 'waiting-for-redis'; readonly url: string; readonly seconds: number }
  | { readonly workflow: 'worker'; readonly type: 'job-started'; readonly id: string; readonly questions: number }
  | { readonly workflow: 'worker'; readonly type: 'job-done'; readonly id: string; readonly questions: number; readonly ms: number; readonly pipelinesLoaded: number }
  | { readonly workflow: 'worker'; readonly type: 'job-refused'; readonly id: string; readonly reason: string }
  | { readonly workflow: 'worker'; readonly type: 'job-returned'; readonly id: string }
  | { readonly workflow: 'worker'; readonly type: 'job-failed'; readonly id: string; readonly message: string };

/** A running worker. */
export interface RunningWorker {
  readonly name: string;
  /** Finishes the jobs in hand, then stops (SIGINT). */
  close(): Promise<void>;
  /** Puts the jobs in hand back in the queue at once (another worker takes them), then stops (SIGTERM). */
  returnJobsAndClose(): Promise<void>;
}

/**
 * Takes jobs of any kind from the queue: checks that its model files hash to the job's recorded
 * identity (refused jobs go back to the queue untouched, never answered), answers them on a pipeline
 * kept warm across jobs, and returns the answer lines and their SHA-256 through Redis as the job's
 * return value. The coordinator checks and commits them; a worker never writes the run folder.
 * A job is run by the definition of its kind in `kinds` (a table lookup: the queue knows no workflow).
 * The options are checked first, before Redis is reached: a bad one is one InvalidArgumentError naming the key.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const settings = parseWorkflowOptions('startWorker', startWorkerOptionsSchema, options);
  const emit = workflowEmitter<WorkerEvent>('worker', options.onEvent);
  const kinds = options.kinds;
  const name = processName();
  for (const [flag, folder] of [
    ['--models-root', settings.modelsRoot],
    ['--data-root', settings.dataRoot],
  ] as const) {
    if (folder !== undefined && !(await stat(folder).catch(() => undefined))?.isDirectory()) {
      throw new InvalidArgumentError(`${flag} ${resolve(folder)} is not a folder on this machine; give this machine's copy of the coordinator's folder`);
    }
  }
  const components = await workerComponents(settings.allowComponents);
  const pipelines = warmPipelines({ maxModels: settings.maxModels, components, ...(settings.modelsRoot === undefined ? {} : { modelsRoot: settings.modelsRoot }) });
  let returning = false;
  // A refusing worker idles (doubling up to 30 s) so that it does not keep snatching jobs from right workers.
  let refusalPause = settings.refusalDelayMs;
  const stopping = new AbortController();

  const process = async (job: Job<JobData, JobResult>, token: string | undefined, signal: AbortSignal | undefined): Promise<JobResult> => {
    const data = job.data;
    const id = job.id!;
    const definition = kinds?.get(data.kind);
    if (definition === undefined && kinds !== undefined) {
      throw new Error(`job ${id} has kind '${String(data.kind)}'; this worker runs ${[...kinds.keys()].join(', ')} (update mmvp on this machine?)`);
    }
    emit({ type: 'job-started', id, questions: unitsOf(data, definition) });
    const began = Date.now();
    try {
      if (options.answerJob !== undefined) {
        const lines = await options.answerJob(data, signal);
        emit({ type: 'job-done', id, questions: unitsOf(data, definition), ms: Date.now() - began, pipelinesLoaded: 0 });
        return { lines, sha256: hashResultLines(lines), worker: name };
      }
      const kind = definition!;
      const dataRoot = settings.dataRoot === undefined ? data.dataRoot : resolve(settings.dataRoot);
      const context = { dataRoot, ...(signal === undefined ? {} : { signal }) };
      const load = kind.load;
      // No parts to load (endpoint kinds: the endpoint the job names answers, with this worker's own key).
      const output =
        load === undefined
          ? await kind.runShard(data, { ...context, parts: undefined, modelsRoot: settings.modelsRoot === undefined ? dataRoot : resolve(settings.modelsRoot) })
          : await pipelines.use(load.pipelineOf(data), load as LoadedFlavor<Awaited<ReturnType<typeof load.create>>>, (parts, modelsRoot, config) => kind.runShard(data, { ...context, parts, modelsRoot, config }));
      emit({ type: 'job-done', id, questions: unitsOf(data, definition), ms: Date.now() - began, pipelinesLoaded: pipelines.loaded });
      refusalPause = settings.refusalDelayMs;
      return { lines: output.lines, sha256: hashResultLines(output.lines), worker: name, ...(output.describe === undefined ? {} : { describe: output.describe }) } as JobResult;
    } catch (error) {
      if (error instanceof ModelIdentityMismatch) {
        // Never answer with other weights: tell the coordinator, put the job back for another worker.
        emit({ type: 'job-refused', id, reason: error.message });
        await job.updateProgress({ refusedBy: name, reason: error.message }).catch(() => undefined);
        await job.moveToDelayed(Date.now() + 250, token);
        await pause(refusalPause, stopping.signal);
        refusalPause = Math.min(30_000, Math.max(1, refusalPause) * 2);
        throw new DelayedError();
      }
      if (returning && signal?.aborted === true) {
        await job.moveToWait(token);
        emit({ type: 'job-returned', id });
        throw new WaitingError();
      }
      emit({ type: 'job-failed', id, message: (error as Error).message });
      throw error;
    }
  };

  const worker = new Worker<JobData, JobResult>(settings.queueName, process, {
    connection: { ...parseRedisUrl(settings.url), maxRetriesPerRequest: null },
    concurrency: settings.concurrency,
    lockDuration: settings.lockDuration,
    stalledInterval: settings.stalledInterval,
    maxStalledCount: settings.maxStalledCount,
    autorun: false, // started once the database index is checked: a refused one would serve database 0's jobs
  });
  worker.on('error', () => undefined); // reconnects on its own; jobs in hand are re-run by stalled-job detection if it was gone too long
  const began = Date.now();
  const nag = setInterval(() => emit({ type: 'waiting-for-redis', url: settings.url, seconds: Math.round((Date.now() - began) / 1000) }), 5000);
  try {
    await worker.waitUntilReady();
    await checkRedisDatabase(await worker.client, settings.url, parseRedisUrl(settings.url).db);
  } catch (error) {
    await worker.close().catch(() => undefined);
    await pipelines.dispose();
    throw error;
  } finally {
    clearInterval(nag);
  }
  void worker.run().catch(() => undefined); // resolves when closed
  emit({ type: 'ready', name, queue: settings.queueName });
  let closing: Promise<void> | undefined;
  const shutdown = async (force: boolean) => {
    stopping.abort();
    if (force) {
      returning = true;
      worker.cancelAllJobs('returned to the queue (SIGTERM)');
    }
    closing ??= worker.close().finally(() => pipelines.dispose());
    await closing;
  };
  const abortSignal = options.abortSignal;
  if (abortSignal?.aborted) await shutdown(false);
  else abortSignal?.addEventListener('abort', () => void shutdown(false), { once: true });
  return { name, close: () => shutdown(false), returnJobsAndClose: () => shutdown(true) };
}

/**
 * A worker's allowlist from `--allow-components`: package names as given (checked to be package
 * names), and every `use` of the pipeline configs given (`.json`, checked by loadPipelineConfig).
 * Allowed package names resolve from the first config's folder, else the working folder.
 */
export async function workerComponents(entries: readonly string[] | undefined): Promise<WorkerComponents> {
  if (entries === undefined) return { allow: BUILT_IN_COMPONENTS };
  const allow: string[] = [];
  let allowFrom: string | undefined;
  for (const entry of entries) {
    if (entry.endsWith('.json')) {
      const config = await loadPipelineConfig(entry);
      allow.push(...componentAllowlist(config));
      allowFrom ??= config.configFolder;
      continue;
    }
    if (isComponentFile(entry)) {
      throw new InvalidArgumentError(`--allow-components: '${entry}' is a file; allow a component file through the pipeline config (.json) that names it, or name an installed package`);
    }
    try {
      resolveComponent(entry, {});
    } catch (error) {
      throw new InvalidArgumentError(`--allow-components: ${(error as Error).message}`);
    }
    allow.push(entry);
  }
  return { allow, ...(allowFrom === undefined ? {} : { allowFrom }) };
}

/** Waits `ms`, or less when `signal` fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
