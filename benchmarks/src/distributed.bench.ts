/**
 * Distributed eval-mllm on BullMQ + a local redis-server (127.0.0.1, random port, temp folder) against
 * the one-process run of the same eval: the tiny pipeline (configs/pipelines/tiny-clip.json) on a
 * generated MMVP-Synth set (150 pairs = 300 questions, 64 px PNG).
 *
 *  1. throughput: one process (evaluateMllm) vs 2 `mmvp worker` processes + the coordinator
 *     (evaluateMllm with `queue`): the answering phase (target >= 1.6x) and the whole run, whose
 *     serial part (image checks, model hashing, grading) both sides share.
 *  2. the same eval with 3 worker processes: jobs per second on tiny models.
 *  3. queue overhead per job: 600 jobs whose work is nothing (3 in-process no-op workers via
 *     startWorker's answerJob), round trip per job = enqueue, fetch, complete, hash check, commit,
 *     remove; compared with a real job's own work at the default shard size (from the workers' logs);
 *     target <= 5%. This is also the coordinator's ceiling in jobs per second.
 *  4. recovery: a worker SIGKILLed with a job in hand; time until another worker has re-done that job
 *     (lock 5 s, stalled check every 2 s; with the defaults, 30 s + 30 s, it is ~10x longer).
 *
 * Needs the built CLI (`pnpm turbo run build --filter=@mmvp/cli...`) and /usr/bin/redis-server.
 *
 *   pnpm bench distributed
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateMllm } from '@mmvp/study';
import { MLLM_SHARD_SIZE, coordinateRun, queueSettingsSchema, startWorker, type JobData } from '@mmvp/study/queue';
import { planShards, startLocalRedisServer } from '@mmvp/study/testing';
import { writeSynth } from '@mmvp/synth';
import { printTable } from './timing';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'apps', 'cli', 'dist', 'cli.js');
const pipeline = join(root, 'configs', 'pipelines', 'tiny-clip.json');
const seconds = (since: number) => (performance.now() - since) / 1000;

/** An `mmvp worker` process with its stderr (job lines) collected. */
function workerProcess(url: string, extra: readonly string[] = []): { child: ChildProcess; stderr: () => string; ready: Promise<void> } {
  const child = spawn(process.execPath, [cli, 'worker', '--queue', url, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  let onData: () => void = () => undefined;
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    onData();
  });
  const ready = new Promise<void>((resolve) => {
    onData = () => {
      if (/waiting for jobs/.test(text)) resolve();
    };
  });
  return { child, stderr: () => text, ready };
}

async function stopAll(workers: readonly { child: ChildProcess }[]): Promise<void> {
  await Promise.all(workers.map(({ child }) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGINT'))))));
}

/** Seconds of work per job from the workers' `done in X s` lines. */
function jobSeconds(logs: readonly string[]): number[] {
  return logs.flatMap((log) => [...log.matchAll(/: done in ([\d.]+) s/g)].map((match) => Number(match[1])));
}

export default async function run(): Promise<void> {
  if (!existsSync(cli) || !existsSync('/usr/bin/redis-server')) {
    console.log(`skipped: needs the built CLI (${cli}) and /usr/bin/redis-server`);
    return;
  }
  const scratch = await mkdtemp(join(tmpdir(), 'mmvp-distributed-bench-'));
  const redis = await startLocalRedisServer();
  try {
    await writeSynth({ out: join(scratch, 'data'), seed: 2024, size: 64, split: 'eval', pairs: 150, pairsPerPattern: 1, contactSheets: false, overwrite: true, imageFormat: 'png' });
    const data = join(scratch, 'data', 'MMVP');
    const questions = 300;
    const jobs = questions / MLLM_SHARD_SIZE;

    // 1. one process vs 2 workers. Whole runs include the serial part both share (reading and
    // checking the benchmark's images, hashing the model files, grading); the answering phase runs
    // from the first to the last progress event (one process: its pipeline is loaded before; workers:
    // warmed by a small run first, as long-running workers are).
    const timed = async (options: Parameters<typeof evaluateMllm>[0]) => {
      const started = performance.now();
      let first: number | undefined;
      let last = started;
      await evaluateMllm({
        ...options,
        onEvent: (event) => {
          if (event.type !== 'progress') return;
          first ??= performance.now();
          last = performance.now();
        },
      });
      return { whole: seconds(started), answering: (last - (first ?? started)) / 1000 };
    };
    const one = await timed({ pipeline, data, out: join(scratch, 'one') });
    await writeSynth({ out: join(scratch, 'warm-up'), seed: 7, size: 64, split: 'eval', pairs: 20, pairsPerPattern: 1, contactSheets: false, overwrite: true, imageFormat: 'png' });

    const runWith = async (count: number, out: string) => {
      const workers = Array.from({ length: count }, () => workerProcess(redis.url));
      await Promise.all(workers.map((worker) => worker.ready));
      await evaluateMllm({ pipeline, data: join(scratch, 'warm-up', 'MMVP'), out: join(scratch, `${out}-warm-up`), queue: { url: redis.url, shardSize: 2 } });
      const warmJobs = workers.map((worker) => jobSeconds([worker.stderr()]).length);
      const result = await timed({ pipeline, data, out: join(scratch, out), queue: { url: redis.url } });
      await stopAll(workers);
      return { ...result, work: workers.flatMap((worker, index) => jobSeconds([worker.stderr()]).slice(warmJobs[index])) };
    };
    const two = await runWith(2, 'two');
    const three = await runWith(3, 'three');
    const meanJob = two.work.reduce((sum, value) => sum + value, 0) / two.work.length;
    printTable([
      { run: `one process (${questions} questions)`, 'whole s': one.whole, 'answering s': one.answering, 'questions/s': questions / one.answering, 'answering vs one process': 1, 'whole vs one process': 1 },
      ...[two, three].map((result, index) => ({
        run: `${index + 2} worker processes, ${jobs} jobs of ${MLLM_SHARD_SIZE}`,
        'whole s': result.whole,
        'answering s': result.answering,
        'questions/s': questions / result.answering,
        'answering vs one process': one.answering / result.answering,
        'whole vs one process': one.whole / result.whole,
      })),
    ]);
    console.log(`jobs/s with 3 warm workers on tiny models: ${(jobs / three.answering).toFixed(2)}; mean job work ${(meanJob * 1000).toFixed(0)} ms (2 warm workers, default shard of ${MLLM_SHARD_SIZE} questions)`);

    // 3. the queue's own cost: no-op jobs through the coordinator
    const noopJobs = 600;
    const noopWorkers = await Promise.all(
      Array.from({ length: 3 }, () =>
        startWorker({
          url: redis.url,
          queueName: 'bench-noop',
          answerJob: async (job: JobData) => (job as unknown as { questions: { id: number }[] }).questions.map((question) => JSON.stringify({ question_id: question.id, run_identity: 'noop' })),
        }),
      ),
    );
    const items = Array.from({ length: noopJobs }, (_, index) => index + 1);
    const done = new Set<string>();
    const noopStarted = performance.now();
    await coordinateRun({
      settings: queueSettingsSchema.parse({ url: redis.url, queueName: 'bench-noop' }),
      runId: 'benchnoop',
      kind: 'eval-mllm',
      shards: planShards(items, 1),
      keyOf: String,
      recordKeyOf: (record) => String(record['question_id']),
      runIdentity: 'noop',
      done,
      jobData: (shard) => ({ kind: 'eval-mllm', questions: shard.items.map((id) => ({ id })) }) as unknown as JobData,
      commit: async () => undefined,
    });
    const noop = seconds(noopStarted);
    await Promise.all(noopWorkers.map((worker) => worker.close()));
    const perJobMs = (noop * 1000 * 3) / noopJobs; // each of the 3 worker slots spends this per job on the queue
    printTable([
      {
        measure: `coordinator, 3 no-op workers, ${noopJobs} jobs`,
        'jobs/s': noopJobs / noop,
        'queue ms per job (per worker)': perJobMs,
        'job work ms (default shard)': meanJob * 1000,
        'overhead %': (100 * perJobMs) / (meanJob * 1000),
      },
    ]);

    // 4. recovery after a SIGKILLed worker
    const fast = ['--lock-duration', '5000', '--stalled-interval', '2000'];
    const doomed = workerProcess(redis.url, fast);
    await doomed.ready;
    const recovery = evaluateMllm({ pipeline, data, out: join(scratch, 'recovery'), queue: { url: redis.url } });
    let inHand: string | undefined;
    const deadline = performance.now() + 60_000; // a bench that waits for a line that never comes fails instead of hanging
    while (inHand === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      inHand = /: (\S+-eval-mllm-\d+): \d+ question/.exec(doomed.stderr())?.[1]; // job ids are <run>-<kind>-<shard>
      if (performance.now() > deadline) throw new Error(`distributed bench: no job-started line from the worker in 60 s; its stderr:\n${doomed.stderr()}`);
    }
    doomed.child.kill('SIGKILL');
    const killedAt = performance.now();
    const rescuer = workerProcess(redis.url, fast);
    let recoveredAfter: number | undefined;
    while (recoveredAfter === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (rescuer.stderr().includes(`${inHand}: done`)) recoveredAfter = seconds(killedAt);
      if (seconds(killedAt) > 60) throw new Error(`distributed bench: job ${inHand} not re-done within 60 s of the kill; the rescuer's stderr:\n${rescuer.stderr()}`);
    }
    await recovery;
    await stopAll([rescuer]);
    printTable([{ measure: 'SIGKILLed worker: its job re-done by another', 'lock ms': 5000, 'stalled check ms': 2000, 'recovery s': recoveredAfter }]);
  } finally {
    await redis.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
