import { startWorker, studyJobKinds, type WorkerEvent } from '@mmvp/study/queue';
import type { Command } from 'commander';
import { positiveIntegerOption } from '../shared/positive-integer-option';

interface WorkerFlags {
  queue: string;
  queueName: string;
  concurrency: string;
  modelsRoot?: string;
  dataRoot?: string;
  maxModels: string;
  lockDuration?: string;
  stalledInterval?: string;
  allowComponents?: string;
}

/** `mmvp worker`: takes queued jobs of any workflow (startWorker of @mmvp/study) until SIGINT or SIGTERM. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      "take jobs of distributed runs (eval-mllm, pope, sweep or mine started with --queue) from Redis and answer them on warm pipelines (mine: embeds one store shard with CLIP and DINOv2; runs with --endpoint: asks the endpoint the job names, with the API key from this machine's environment variable the job names); " +
        "a job whose model files do not hash to the run's recorded identity is refused and goes back to the queue. " +
        'Results return through Redis; the coordinator alone writes the run folder. ' +
        'Ctrl-C (SIGINT) finishes the job in hand, then exits; SIGTERM puts it back in the queue at once, then exits. ' +
        "A pipeline config is code, like a plugin list: its encoders' `use` modules run. A worker loads only the components it allows " +
        '(--allow-components; default the built-in @mmvp/encoder-clip and @mmvp/encoder-dinov2), never code named only by a job in Redis',
    )
    .requiredOption('--queue <url>', 'Redis of the run: redis://HOST:PORT[/DB]')
    .option('--queue-name <name>', "BullMQ queue name (the same as the coordinator's)", 'mmvp')
    .option('--concurrency <n>', 'jobs at once in this process (each holds its own loaded pipeline)', '1')
    .option('--models-root <dir>', "this machine's copy of the coordinator's models folder (default: the coordinator's path, e.g. shared storage)")
    .option('--data-root <dir>', "this machine's copy of the coordinator's benchmark folder, or for mine its image folder (default: the coordinator's path)")
    .option('--max-models <n>', 'pipelines kept loaded between jobs (least recently used unloaded first)', '2')
    .option('--lock-duration <ms>', 'BullMQ job lock: a worker silent this long (killed, frozen) has its job re-run elsewhere', '30000')
    .option('--stalled-interval <ms>', 'how often this worker checks for jobs of dead workers', '30000')
    .option(
      '--allow-components <list>',
      "comma-separated component packages this worker may load, or pipeline config files (.json) whose encoders' `use` it allows (their './' files included); default: @mmvp/encoder-clip,@mmvp/encoder-siglip,@mmvp/encoder-dinov2",
    )
    .action(async (flags: WorkerFlags) => {
      const worker = await startWorker({
        kinds: studyJobKinds,
        url: flags.queue,
        queueName: flags.queueName,
        concurrency: positiveIntegerOption('--concurrency', flags.concurrency),
        ...(flags.modelsRoot === undefined ? {} : { modelsRoot: flags.modelsRoot }),
        ...(flags.dataRoot === undefined ? {} : { dataRoot: flags.dataRoot }),
        maxModels: positiveIntegerOption('--max-models', flags.maxModels),
        lockDuration: positiveIntegerOption('--lock-duration', flags.lockDuration ?? '30000'),
        stalledInterval: positiveIntegerOption('--stalled-interval', flags.stalledInterval ?? '30000'),
        ...(flags.allowComponents === undefined
          ? {}
          : {
              allowComponents: flags.allowComponents
                .split(',')
                .map((entry) => entry.trim())
                .filter(Boolean),
            }),
        onEvent: (event) => process.stderr.write(`${describeEvent(event)}\n`),
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => {
          process.stderr.write('mmvp worker: SIGINT: finishing the job in hand, then exiting\n');
          void worker.close().then(resolve);
        });
        process.once('SIGTERM', () => {
          process.stderr.write('mmvp worker: SIGTERM: returning the job in hand to the queue, then exiting\n');
          void worker.returnJobsAndClose().then(resolve);
        });
      });
      process.stderr.write('mmvp worker: stopped\n');
    });
}

function describeEvent(event: WorkerEvent): string {
  switch (event.kind) {
    case 'ready':
      return `mmvp worker ${event.name}: waiting for jobs on queue '${event.queue}'`;
    case 'waiting-for-redis':
      return `mmvp worker: no answer from Redis at ${event.url} for ${event.seconds} s; still trying (is redis-server running and reachable?)`;
    case 'job-started':
      return `mmvp worker: ${event.id}: ${event.questions} question(s)`;
    case 'job-done':
      return `mmvp worker: ${event.id}: done in ${(event.ms / 1000).toFixed(2)} s (${event.pipelinesLoaded} pipeline(s) loaded)`;
    case 'job-refused':
      return `mmvp worker: refused ${event.id}: ${event.reason}`;
    case 'job-returned':
      return `mmvp worker: ${event.id}: returned to the queue`;
    case 'job-failed':
      return `mmvp worker: ${event.id}: failed: ${event.message}`;
  }
}
