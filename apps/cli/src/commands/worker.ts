import type { Command } from 'commander';
import { startWorker, startWorkerOptionsSchema, type StartWorkerOptions } from '@mmvp/study/queue';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { untilStopped } from '../run/interrupt';
import { createProgressPrinter } from '../run/progress-printer';

/** startWorker's options as flags. */
const workerFlags: FlagTable<StartWorkerOptions> = {
  url: { flag: '--queue <url>', description: 'Redis of the run: redis://HOST:PORT[/DB]' },
  queueName: { flag: '--queue-name <name>', description: "BullMQ queue name (the same as the coordinator's)" },
  concurrency: { flag: '--concurrency <n>', description: 'jobs at once in this process (each holds its own loaded pipeline)' },
  modelsRoot: { flag: '--models-root <dir>', description: "this machine's copy of the coordinator's models folder (default: the coordinator's path, e.g. shared storage)" },
  dataRoot: { flag: '--data-root <dir>', description: "this machine's copy of the coordinator's benchmark folder, or for mine its image folder (default: the coordinator's path)" },
  maxModels: { flag: '--max-models <n>', description: 'pipelines kept loaded between jobs (least recently used unloaded first)' },
  lockDuration: { flag: '--lock-duration <ms>', description: 'BullMQ job lock: a worker silent this long (killed, frozen) has its job re-run elsewhere' },
  stalledInterval: { flag: '--stalled-interval <ms>', description: 'how often this worker checks for jobs of dead workers' },
  allowComponents: {
    flag: '--allow-components <list>',
    description:
      "comma-separated component packages this worker may load, or pipeline config files (.json) whose encoders' `use` it allows (their './' files included); default: @mmvp/encoder-clip,@mmvp/encoder-siglip,@mmvp/encoder-dinov2",
  },
  maxStalledCount: notAFlag('BullMQ retry policy: the default (3) on the command line'),
  refusalDelayMs: notAFlag('the idle time after a refused job: the default on the command line'),
  answerJob: notAFlag('a model-free answerer for queue benchmarks (library only)'),
  kinds: notAFlag("the study's job kinds: startWorker of @mmvp/study/queue uses them when none are given"),
  abortSignal: notAFlag('SIGINT and SIGTERM stop the command (untilStopped)'),
  onEvent: notAFlag('the command prints each event on stderr'),
};

/** `mmvp worker`: takes queued jobs of any workflow (startWorker of @mmvp/study) until SIGINT or SIGTERM. */
export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description(
      "take jobs of distributed runs (eval-mllm, pope, sweep or mine started with --queue) from Redis and answer them on warm pipelines (mine: embeds one store shard with CLIP and DINOv2; runs with --endpoint: asks the endpoint the job names, with the API key from this machine's environment variable the job names); " +
        "a job whose model files do not hash to the run's recorded identity is refused and goes back to the queue. " +
        'Results return through Redis; the coordinator alone writes the run folder. ' +
        'Ctrl-C (SIGINT) finishes the job in hand, then exits; SIGTERM puts it back in the queue at once, then exits. ' +
        "A pipeline config is code, like a plugin list: its encoders' `use` modules run. A worker loads only the components it allows " +
        '(--allow-components; default the built-in @mmvp/encoder-clip and @mmvp/encoder-dinov2), never code named only by a job in Redis',
    );
  declareFlags(command, workerFlags, startWorkerOptionsSchema).action(async (values: Record<string, unknown>) => {
    const say = (line: string) => process.stderr.write(`mmvp worker${line}\n`);
    const worker = await startWorker({ ...(optionsFromFlags(workerFlags, values) as StartWorkerOptions), onEvent: createProgressPrinter('mmvp worker').event });
    await untilStopped({
      SIGINT: () => (say(': SIGINT: finishing the job in hand, then exiting'), worker.close()),
      SIGTERM: () => (say(': SIGTERM: returning the job in hand to the queue, then exiting'), worker.returnJobsAndClose()),
    });
    say(': stopped');
  });
}
