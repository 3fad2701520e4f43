import type { Command } from 'commander';
import { InvalidArgumentError } from '@mmvp/core';
import { formatWithInterval } from '@mmvp/metrics';
import { PAPER_RATIOS, parseRatios, runSweep, type SweepProgressEvent, type SweepRatioResult, type SweepResult } from '@mmvp/study';
import { SWEEP_CHUNKS_PER_JOB, parseRedisUrl } from '@mmvp/study/queue';
import { checkOutputFolder } from '../output-file';
import { positiveIntegerOption } from '../shared/positive-integer-option';
import { createProgress } from '../shared/progress';

interface SweepFlags {
  pipeline: string;
  ratios?: string;
  data: string;
  out: string;
  batchSize: string;
  limit?: string;
  proxyData?: string;
  proxyLimit?: string;
  resume?: boolean;
  queue?: string;
  queueName: string;
  shardSize: string;
}

const interval = (value: number, ci: readonly [number, number]) => formatWithInterval(value, ci);

/** What an unresolved comparison could have resolved with its pairs (80% power, from the observed discordance). */
const unresolvedNote = (detectable: number | null) => (detectable === null ? '' : `: these pairs resolve ${detectable.toFixed(1)} points or more at 80% power`);

/** One ratio's line: pair and question accuracy with intervals, the paired comparison, the proxy. */
function ratioLine(result: SweepRatioResult): string {
  const comparison = result.comparison;
  const versus =
    comparison === undefined
      ? ''
      : `; vs ${comparison.baseline} ${comparison.difference >= 0 ? '+' : ''}${interval(comparison.difference, comparison.differenceCi95)} points (McNemar p ${comparison.mcnemarP.toPrecision(2)}${comparison.mcnemarPHolm === undefined ? '' : `, Holm ${comparison.mcnemarPHolm.toPrecision(2)}`}${comparison.resolved ? '' : `, not resolved${unresolvedNote(comparison.minimumDetectableDifference)}`})`;
  const proxy =
    result.instructionFollowing === null
      ? ''
      : `; proxy accuracy ${result.instructionFollowing.toFixed(1)}% (${result.proxyQuestions} questions, 95% CI [${result.instructionFollowingCi95![0].toFixed(1)}, ${result.instructionFollowingCi95![1].toFixed(1)}])`;
  return `r=${result.ratio}: MMVP pair accuracy ${interval(result.pairAccuracy, result.pairAccuracyCi95)} (questions ${interval(result.questionAccuracy, result.questionAccuracyCi95)})${versus}${proxy}`;
}

/** The final table on stdout: one row per ratio, every score with its 95% interval. */
function table(result: SweepResult): string {
  const proxy = result.ratios.some((r) => r.instructionFollowing !== null);
  const header = ['r', 'pair acc. [95% CI]', 'question acc. [95% CI]', `vs ${result.baseline} (points) [95% CI]`, 'McNemar p', 'Holm p', 'resolved (80% power at)', ...(proxy ? ['proxy acc. [95% CI]'] : [])];
  const rows = result.ratios.map((r) => [
    r.text,
    interval(r.pairAccuracy, r.pairAccuracyCi95),
    interval(r.questionAccuracy, r.questionAccuracyCi95),
    r.comparison === undefined ? '(baseline)' : `${r.comparison.difference >= 0 ? '+' : ''}${interval(r.comparison.difference, r.comparison.differenceCi95)}`,
    r.comparison === undefined ? '' : r.comparison.mcnemarP.toPrecision(2),
    r.comparison?.mcnemarPHolm === undefined ? '' : r.comparison.mcnemarPHolm.toPrecision(2),
    r.comparison === undefined ? '' : r.comparison.resolved ? 'yes' : `no (${r.comparison.minimumDetectableDifference?.toFixed(1) ?? '-'})`,
    ...(proxy ? [r.instructionFollowingCi95 === null ? '' : interval(r.instructionFollowing!, r.instructionFollowingCi95)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const protocol = result.protocol === 'per-ratio' ? 'per-ratio (one trained model per ratio; encoders run once per image)' : 'fixed-adapter (one adapter and LLM; only the mixing ratio changes)';
  return [`A-MoF sweep, protocol ${protocol}; MMVP pair accuracy over ${result.ratios[0]!.pairs} pairs (%)`, line(header), ...rows.map(line)].join('\n');
}

/**
 * `mmvp sweep`: the A-MoF ratio ablation, run by `runSweep` of @mmvp/study. A --pipeline path with
 * `{r}` is the paper's protocol (one trained config per ratio; `{r}` becomes each --ratios item as
 * written; encoders shared and run once per image); without `{r}` one pipeline is swept with its
 * adapter and LLM fixed. Writes a results folder that `mmvp report` renders.
 */
export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description("A-MoF ratio ablation: encode each image once, answer MMVP at every ratio; a --pipeline path with {r} runs one trained model per ratio (the paper's protocol); writes a results folder for mmvp report")
    .requiredOption('--pipeline <file>', "pipeline config (JSON) with clip and dino encoders and an additive adapter; a path with {r} (e.g. 'models/zoo/llava-amof-{r}/pipeline.json') is one config per ratio")
    .option('--ratios <list>', `comma-separated DINOv2 ratios r, plain decimals in [0, 1], each once (default ${PAPER_RATIOS}; required with {r}, where each item is substituted as written)`)
    .requiredOption('--data <dir>', 'MMVP folder (Questions.csv + MMVP Images/), or a folder holding MMVP/')
    .requiredOption('--out <dir>', 'results folder')
    .option('--batch-size <n>', 'images encoded and prompts decoded together', '8')
    .option('--limit <n>', 'only the first N pairs of --data (a quick look)')
    .option(
      '--proxy-data <dir>',
      "a second question set in MMVP folder format answered at every ratio (its images encoded once too); its per-question accuracy (%) is each point's instructionFollowing; answers go to answers.jsonl as '<model> [proxy]'",
    )
    .option('--proxy-limit <n>', 'only the first N pairs of --proxy-data')
    .option('--resume', 'continue the sweep whose answers are in DIR/sweep-journal.jsonl (same settings; only unanswered batches are decoded)')
    .option(
      '--queue <url>',
      'run distributed: one job per ratio x --shard-size image batches on Redis (redis://HOST:PORT[/DB]) for `mmvp worker`s; answers are recorded here in sweep-journal.jsonl, then scored; with --resume enqueues only what is missing',
    )
    .option('--queue-name <name>', 'BullMQ queue name with --queue (workers listen on the same)', 'mmvp')
    .option('--shard-size <n>', 'image batches (of --batch-size images) per job with --queue', String(SWEEP_CHUNKS_PER_JOB))
    .action(async (flags: SweepFlags) => {
      const started = performance.now();
      const perRatio = flags.pipeline.includes('{r}');
      if (perRatio && flags.ratios === undefined) {
        throw new InvalidArgumentError(`--pipeline ${flags.pipeline} has {r} (one config per ratio), so --ratios is required: list the ratios that have a config, e.g. --ratios ${PAPER_RATIOS}`);
      }
      const ratios = parseRatios(flags.ratios ?? PAPER_RATIOS, '--ratios');
      const batchSize = positiveIntegerOption('--batch-size', flags.batchSize);
      if (flags.queue !== undefined) parseRedisUrl(flags.queue);
      const shardSize = positiveIntegerOption('--shard-size', flags.shardSize);
      const limit = flags.limit === undefined ? undefined : positiveIntegerOption('--limit', flags.limit);
      const proxyLimit = flags.proxyLimit === undefined ? undefined : positiveIntegerOption('--proxy-limit', flags.proxyLimit);
      if (proxyLimit !== undefined && flags.proxyData === undefined) throw new InvalidArgumentError('--proxy-limit needs --proxy-data');
      const out = await checkOutputFolder(flags.out, '--out');
      const command =
        `mmvp sweep --pipeline ${flags.pipeline} --ratios ${ratios.map((r) => r.text).join(',')} --data ${flags.data} --out ${flags.out}` +
        (flags.proxyData === undefined ? '' : ` --proxy-data ${flags.proxyData}${proxyLimit === undefined ? '' : ` --proxy-limit ${proxyLimit}`}`);
      const controller = new AbortController();
      const onSignal = () => controller.abort(new InvalidArgumentError(`interrupted; the answers so far are in ${out}/sweep-journal.jsonl: run the same command with --resume to continue`));
      process.once('SIGINT', onSignal);
      let progress: ReturnType<typeof createProgress> | undefined;
      const onProgress = (event: SweepProgressEvent) => {
        if (event.type === 'resolved') for (const line of event.lines) process.stderr.write(`sweep: ${line}\n`);
        else if (event.type === 'resumed') process.stderr.write(`sweep: resuming: ${event.answers} answers already in ${event.journal}\n`);
        else if (event.type === 'encoded') process.stderr.write(`sweep: encoded ${event.done}/${event.total} images (once for all ${ratios.length} ratios)\n`);
        else if (event.type === 'answered') (progress ??= createProgress(`answers at r=${event.ratio}`, event.total)).update(event.done);
        else if (event.type === 'queue' && event.event.kind === 'warning') process.stderr.write(`mmvp: warning: ${event.event.message}\n`);
        else if (event.type === 'queue' && event.event.kind === 'jobs') {
          const jobs = event.event;
          (progress ??= createProgress('jobs', jobs.total, jobs.startedAt)).update(jobs.done);
          if (jobs.done === jobs.total) {
            progress.finish();
            progress = undefined;
          }
        } else if (event.type === 'queue-summary') process.stderr.write(`sweep: ${event.line}\n`);
        else if (event.type === 'ratio-finished') {
          progress?.finish();
          progress = undefined;
          process.stderr.write(`sweep: ${ratioLine(event.result)}\n`);
        }
      };
      let result: SweepResult;
      try {
        result = await runSweep({
          pipeline: flags.pipeline,
          ratios: ratios.map((r) => r.text),
          data: flags.data,
          ...(limit === undefined ? {} : { limit }),
          ...(flags.proxyData === undefined ? {} : { proxy: { data: flags.proxyData, ...(proxyLimit === undefined ? {} : { limit: proxyLimit }) } }),
          batchSize,
          out,
          command,
          resume: flags.resume === true,
          ...(flags.queue === undefined ? {} : { queue: { url: flags.queue, queueName: flags.queueName, shardSize } }),
          inputNames: { pipeline: '--pipeline', data: '--data', proxy: '--proxy-data' },
          signal: controller.signal,
          onProgress,
        });
      } finally {
        process.off('SIGINT', onSignal);
        progress?.finish();
      }
      process.stdout.write(`${table(result)}\n`);
      process.stderr.write(`sweep: done in ${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${result.files.map((file) => file.slice(out.length + 1)).join(', ')}; render with: mmvp report ${flags.out}\n`);
      process.stdout.write(`${out}\n`);
    });
}
