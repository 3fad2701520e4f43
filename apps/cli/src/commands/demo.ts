import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describeKernelBackend, resolveKernelBackend } from '@mmvp/kernels';
import { DEMO_LLAVA_MODELS, DEMO_LLAVA_PAIRS_PER_PATTERN, PAPER_CLIP_MIN, PAPER_DINO_MAX, runDemo, runDemoOptionsSchema, type RunDemoOptionsInput } from '@mmvp/study';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { runtimeKeys } from '../flags/shared-flags';
import { checkOutputFolder } from '../output-file';
import { withInterrupt } from '../run/interrupt';
import { createProgressPrinter } from '../run/progress-printer';

const zooDefault = "the zoo's calibrated value from <zoo>/zoo.json, else the paper's";

/** runDemo's options as flags. */
const demoFlags: FlagTable<RunDemoOptionsInput> = {
  out: { flag: '--out <dir>', cliDefault: 'mmvp-demo', description: 'results folder (report.html, JSON/CSV results, the generated eval set under data/)' },
  zoo: { flag: '--zoo <dir>', required: false, description: 'trained zoo folder (default: models/zoo of this checkout)' },
  seed: { flag: '--seed <n>', description: 'seed of the generated MMVP-Synth evaluation set' },
  pairsPerPattern: { flag: '--pairs-per-pattern <n>', description: 'evaluation pairs per visual pattern of finding 1 (15, the MMVP-VLM layout); given alone, also of findings 2-3' },
  llavaPairsPerPattern: {
    flag: '--llava-pairs-per-pattern <n>',
    description: `the LLaVA models' own evaluation pairs per pattern (findings 2-3; at least --pairs-per-pattern; default ${DEMO_LLAVA_PAIRS_PER_PATTERN}, enough to resolve 3 points at 80% power, or --pairs-per-pattern when that is given)`,
  },
  models: { flag: '--models <list>', description: `comma-separated LLaVA configurations to run (default: all: ${DEMO_LLAVA_MODELS.map((m) => m.name).join(', ')})` },
  clipMin: { flag: '--clip-min <x>', description: `CLIP-blind pairs: CLIP cosine above this (default: ${zooDefault} ${PAPER_CLIP_MIN})` },
  dinoMax: { flag: '--dino-max <x>', description: `CLIP-blind pairs: SSL cosine below this (default: ${zooDefault} ${PAPER_DINO_MAX})` },
  report: { flag: '--no-report', description: 'skip report.html' },
  command: notAFlag('the command line, recorded in run.json by the command'),
  abortSignal: runtimeKeys.abortSignal,
  onEvent: runtimeKeys.onEvent,
};

/**
 * `mmvp demo`: flags in, one runDemo call (@mmvp/study), progress and the three findings out on
 * stderr, the report's path on stdout. No study logic lives here.
 */
export function registerDemo(program: Command): void {
  const command = program
    .command('demo')
    .description(
      'the whole study in miniature on the shipped trained tiny zoo: CLIP vs SSL per pattern, CLIP-blind pairs, tiny LLaVA on MMVP-Synth, the A-MoF sweep and I-MoF, every score with its 95% interval; then the HTML report',
    );
  declareFlags(command, demoFlags, runDemoOptionsSchema).action(async (values: Record<string, unknown>) => {
    const printer = createProgressPrinter('demo');
    const given = optionsFromFlags(demoFlags, values) as RunDemoOptionsInput;
    const out = await checkOutputFolder(given.out, '--out');
    const zoo = given.zoo ?? fileURLToPath(new URL('../../../models/zoo/', import.meta.url)); // models/zoo of the checkout this CLI was built in
    const kernels = describeKernelBackend(await resolveKernelBackend()); // the zoo's pipeline configs name no kernels: the default order
    const checked = runDemoOptionsSchema.safeParse({ ...given, zoo }); // the defaults, for run.json's command line (runDemo refuses bad options itself)
    const { seed, models } = checked.success ? checked.data : given;
    const result = await withInterrupt('the demo stopped; run it again to start over', (abortSignal) =>
      runDemo({
        ...given,
        zoo,
        out,
        command: `mmvp demo --out ${given.out} --seed ${seed}${given.pairsPerPattern === undefined ? '' : ` --pairs-per-pattern ${given.pairsPerPattern}`}${given.llavaPairsPerPattern === undefined ? '' : ` --llava-pairs-per-pattern ${given.llavaPairsPerPattern}`}${models ? ` --models ${models.join(',')}` : ''}`,
        abortSignal,
        onEvent: (event) => {
          printer.event(event);
          if (event.type === 'resolved') printer.line(kernels);
        },
      }),
    );
    const { findings } = result;
    printer.line(`finding 1 (CLIP is blind to patterns an SSL model sees): ${findings.clipBlindness.statement}`);
    printer.line(`finding 2 (the MLLM inherits CLIP's per-pattern failures): ${findings.inheritance.statement}`);
    printer.line(`finding 3 (mixing in SSL features): ${findings.mixture.statement}`);
    const row = (stage: string, seconds: number) => `  ${stage.padEnd(52)} ${seconds.toFixed(1).padStart(7)} s`;
    printer.line(`timing summary\n${[...result.timings.map((t) => row(t.stage, t.seconds)), row('total', result.seconds)].join('\n')}`);
    process.stdout.write(`${join(result.out, 'report.html')}\n`);
  });
}
