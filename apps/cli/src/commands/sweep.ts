import type { Command } from 'commander';
import { z } from 'zod';
import { InvalidArgumentError } from '@mmvp/core';
import { PAPER_RATIOS, parseRatios, runSweep, sweepOptionsSchema, type SweepOptions } from '@mmvp/study';
import { SWEEP_CHUNKS_PER_JOB } from '@mmvp/study/queue';
import { declareFlags } from '../flags/declare-flags';
import { group, notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { queueFlags, runtimeKeys } from '../flags/shared-flags';
import { checkOutputFolder } from '../output-file';
import { sweepTable } from '../print/sweep-table';
import { withInterrupt } from '../run/interrupt';
import { createProgressPrinter } from '../run/progress-printer';

type SweepProxy = NonNullable<SweepOptions['proxy']>;
const inMemory = notAFlag('a question set in memory or a callback: library callers only');

/** runSweep's options as flags. */
const sweepFlags: FlagTable<SweepOptions> = {
  pipeline: {
    flag: '--pipeline <file>',
    required: true,
    description: "pipeline config (JSON) with clip and dino encoders and an additive adapter; a path with {r} (e.g. 'models/zoo/llava-amof-{r}/pipeline.json') is one config per ratio",
  },
  pipelineFor: inMemory,
  ratios: {
    flag: '--ratios <list>',
    schema: z.string().refine((text) => parseRatios(text, '--ratios').length > 0), // parseRatios names --ratios in its error
    required: false,
    description: `comma-separated DINOv2 ratios r, plain decimals in [0, 1], each once (default ${PAPER_RATIOS}; required with {r}, where each item is substituted as written)`,
  },
  data: { flag: '--data <dir>', required: true, description: 'MMVP folder (Questions.csv + MMVP Images/), or a folder holding MMVP/' },
  out: { flag: '--out <dir>', required: true, description: 'results folder' },
  batchSize: { flag: '--batch-size <n>', description: 'images encoded and prompts decoded together' },
  limit: { flag: '--limit <n>', description: 'only the first N pairs of --data (a quick look)' },
  proxy: group<SweepProxy>(
    {
      data: {
        flag: '--proxy-data <dir>',
        description:
          "a second question set in MMVP folder format answered at every ratio (its images encoded once too); its per-question accuracy (%) is each point's instructionFollowing; answers go to answers.jsonl as '<model> [proxy]'",
      },
      limit: { flag: '--proxy-limit <n>', description: 'only the first N pairs of --proxy-data' },
      name: notAFlag('the proxy is named after its folder'),
      description: notAFlag('the proxy is described by its folder'),
    },
    { anchor: 'data' },
  ),
  resume: { flag: '--resume', description: 'continue the sweep whose answers are in DIR/sweep-journal.jsonl (same settings; only unanswered batches are decoded)' },
  queue: queueFlags(
    'run distributed: one job per ratio x --shard-size image batches on Redis (redis://HOST:PORT[/DB]) for `mmvp worker`s; answers are recorded here in sweep-journal.jsonl, then scored; with --resume enqueues only what is missing',
    { flag: '--shard-size <n>', description: `image batches (of --batch-size images) per job with --queue (default: ${SWEEP_CHUNKS_PER_JOB})` },
  ),
  command: notAFlag('the command line, recorded in run.json by the command'),
  inputNames: notAFlag('the command names its flags in errors'),
  modelName: inMemory,
  abortSignal: runtimeKeys.abortSignal,
  onEvent: runtimeKeys.onEvent,
};

/**
 * `mmvp sweep`: the A-MoF ratio ablation, run by `runSweep` of @mmvp/study. A --pipeline path with
 * `{r}` is the paper's protocol (one trained config per ratio); without `{r}` one pipeline is swept
 * with its adapter and LLM fixed. Writes a results folder that `mmvp report` renders.
 */
export function registerSweep(program: Command): void {
  const command = program
    .command('sweep')
    .description("A-MoF ratio ablation: encode each image once, answer MMVP at every ratio; a --pipeline path with {r} runs one trained model per ratio (the paper's protocol); writes a results folder for mmvp report");
  declareFlags(command, sweepFlags, sweepOptionsSchema).action(async (values: Record<string, unknown>) => {
    const started = performance.now();
    const options = optionsFromFlags(sweepFlags, values) as SweepOptions & { pipeline: string; out: string };
    if (options.pipeline.includes('{r}') && options.ratios === undefined) {
      throw new InvalidArgumentError(`--pipeline ${options.pipeline} has {r} (one config per ratio), so --ratios is required: list the ratios that have a config, e.g. --ratios ${PAPER_RATIOS}`);
    }
    const ratios = parseRatios(String(options.ratios ?? PAPER_RATIOS), '--ratios').map((ratio) => ratio.text);
    const out = await checkOutputFolder(options.out, '--out');
    const proxy = options.proxy === undefined ? '' : ` --proxy-data ${options.proxy.data}${options.proxy.limit === undefined ? '' : ` --proxy-limit ${options.proxy.limit}`}`;
    const printer = createProgressPrinter('sweep');
    const result = await withInterrupt(`the answers so far are in ${out}/sweep-journal.jsonl: run the same command with --resume to continue`, (abortSignal) =>
      runSweep({
        ...options,
        ratios,
        out,
        command: `mmvp sweep --pipeline ${options.pipeline} --ratios ${ratios.join(',')} --data ${String(options.data)} --out ${options.out}${proxy}`,
        inputNames: { pipeline: '--pipeline', data: '--data', proxy: '--proxy-data' },
        abortSignal,
        onEvent: printer.event,
      }),
    ).finally(printer.finish);
    process.stdout.write(`${sweepTable(result)}\n`);
    printer.line(`done in ${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${result.files.map((file) => file.slice(out.length + 1)).join(', ')}; render with: mmvp report ${options.out}`);
    process.stdout.write(`${out}\n`);
  });
}
