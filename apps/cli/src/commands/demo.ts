import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { InvalidArgumentError } from '@mmvp/core';
import { formatWithInterval } from '@mmvp/metrics';
import { describeKernelBackend, resolveKernelBackend } from '@mmvp/kernels';
import { DEMO_LLAVA_MODELS, DEMO_LLAVA_PAIRS_PER_PATTERN, PAPER_CLIP_MIN, PAPER_DINO_MAX, runDemo, type DemoProgressEvent } from '@mmvp/study';
import { checkOutputFolder } from '../output-file';
import { cliVersion } from '../version';

interface DemoFlags {
  out: string;
  zoo?: string;
  seed: string;
  pairsPerPattern?: string;
  llavaPairsPerPattern?: string;
  models?: string;
  clipMin?: string;
  dinoMax?: string;
  report: boolean;
}

/** Where the shipped zoo lives: models/zoo of the checkout this CLI was built in. */
function defaultZoo(): string {
  return fileURLToPath(new URL('../../../models/zoo/', import.meta.url));
}

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got '${text}'`);
  return value;
}

function fraction(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < -1 || value > 1) throw new InvalidArgumentError(`${name} must be a number in [-1, 1], got '${text}'`);
  return value;
}

/** One stderr line per progress event (plain lines: the demo is short). */
function progressLine(event: DemoProgressEvent): string | undefined {
  const ci = formatWithInterval;
  switch (event.type) {
    case 'resolved':
      return `mmvp ${cliVersion}; zoo ${event.zoo}: tiny-clip, tiny-ssl, ${event.models.join(', ')}\ndemo: results -> ${event.out}`;
    case 'eval-set':
      return `eval set: MMVP-Synth seed ${event.seed}, ${event.pairsPerPattern} pairs x ${event.patterns} patterns, ${event.questions} questions, ${event.imageSize} px${event.llava === undefined ? '' : `; LLaVA models: their own set of ${event.llava.pairsPerPattern} pairs x ${event.patterns} patterns, ${event.llava.questions} questions`}`;
    case 'encoders':
      return `encoders: ${event.clip} (CLIP ${event.clipImageSize.join('x')}), ${event.ssl} (SSL, own processor)`;
    case 'vlm-pairs':
      return event.done === event.total ? `MMVP-VLM: ${event.done}/${event.total} pairs` : undefined;
    case 'vlm-scores':
      return `tiny-clip MMVP-VLM average ${ci(event.clipAverage, event.clipAverageCi95)}; image-only probe: tiny-clip ${ci(event.clipProbeAverage, event.clipProbeAverageCi95)}, tiny-ssl ${ci(event.sslProbeAverage, event.sslProbeAverageCi95)}`;
    case 'blind-pairs':
      return `CLIP-blind pairs (CLIP cos > ${event.clipMin}, SSL cos < ${event.dinoMax}; thresholds from ${event.thresholdSource}) among ${event.pool} images: ${event.found} (${event.samePair} are the two images of one benchmark pair)`;
    case 'model-done':
      return (
        `${event.model}: MMVP pair accuracy ${ci(event.pairAccuracy, event.pairAccuracyCi95)}% (questions ${ci(event.questionAccuracy, event.questionAccuracyCi95)}%), ` +
        `caption-question accuracy ${ci(event.instructionFollowing, event.instructionFollowingCi95)}%, ${event.seconds.toFixed(1)} s`
      );
    case 'seeds':
      return `${event.configuration} over ${event.seeds} seeds: MMVP pair accuracy mean ${ci(event.mean, event.meanCi95)}% (interval over pairs), sd ${event.sd.toFixed(1)}, range ${event.min.toFixed(1)}-${event.max.toFixed(1)}`;
    case 'seed-comparison':
      return (
        `${event.b} - ${event.a}, seed means: ${event.difference >= 0 ? '+' : ''}${ci(event.difference, event.differenceCi95WithSeeds)} points counting seeds and pairs ` +
        `([${event.differenceCi95[0].toFixed(1)}, ${event.differenceCi95[1].toFixed(1)}] with the seeds held fixed)` +
        (event.resolved ? ' (resolved: the interval excludes 0)' : ` (not resolved: the interval includes 0${event.seedsToResolve === null ? '' : `; about ${event.seedsToResolve} seeds each would resolve it`})`)
      );
    case 'correlation':
      return `Pearson r(${event.x} per pattern, ${event.y} per pattern) = ${event.pearson === null ? 'undefined' : event.pearson.toFixed(3)}${event.pearsonCi95 ? ` [${event.pearsonCi95[0].toFixed(3)}, ${event.pearsonCi95[1].toFixed(3)}]` : ''}`;
    case 'stage-done':
      return `${event.stage} done in ${event.seconds.toFixed(1)} s`;
    case 'report':
      return `report: ${event.path}`;
  }
}

/**
 * `mmvp demo`: flags in, one runDemo call (@mmvp/study), progress and the three findings out on
 * stderr, the report's path on stdout. No study logic lives here.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'the whole study in miniature on the shipped trained tiny zoo: CLIP vs SSL per pattern, CLIP-blind pairs, tiny LLaVA on MMVP-Synth, the A-MoF sweep and I-MoF, every score with its 95% interval; then the HTML report',
    )
    .option('--out <dir>', 'results folder (report.html, JSON/CSV results, the generated eval set under data/)', 'mmvp-demo')
    .option('--zoo <dir>', 'trained zoo folder (default: models/zoo of this checkout)')
    .option('--seed <n>', 'seed of the generated MMVP-Synth evaluation set', '2024')
    .option('--pairs-per-pattern <n>', 'evaluation pairs per visual pattern of finding 1 (default 15, the MMVP-VLM layout); given alone, also of findings 2-3')
    .option(
      '--llava-pairs-per-pattern <n>',
      `the LLaVA models' own evaluation pairs per pattern (findings 2-3; at least --pairs-per-pattern; default ${DEMO_LLAVA_PAIRS_PER_PATTERN}, enough to resolve 3 points at 80% power, or --pairs-per-pattern when that is given)`,
    )
    .option('--models <list>', `comma-separated LLaVA configurations to run (default: all: ${DEMO_LLAVA_MODELS.map((m) => m.name).join(', ')})`)
    .option('--clip-min <x>', `CLIP-blind pairs: CLIP cosine above this (default: the zoo's calibrated value from <zoo>/zoo.json, else the paper's ${PAPER_CLIP_MIN})`)
    .option('--dino-max <x>', `CLIP-blind pairs: SSL cosine below this (default: the zoo's calibrated value from <zoo>/zoo.json, else the paper's ${PAPER_DINO_MAX})`)
    .option('--no-report', 'skip report.html')
    .action(async (flags: DemoFlags) => {
      const say = (line: string) => process.stderr.write(`demo: ${line}\n`);
      const out = await checkOutputFolder(flags.out, '--out');
      const controller = new AbortController();
      const interrupt = () => controller.abort(new Error('interrupted (SIGINT)'));
      process.once('SIGINT', interrupt);
      try {
        const kernels = describeKernelBackend(await resolveKernelBackend()); // the zoo's pipeline configs name no kernels: the default order
        const result = await runDemo({
          zoo: flags.zoo ?? defaultZoo(),
          out,
          seed: integer('--seed', flags.seed, 0),
          ...(flags.pairsPerPattern !== undefined ? { pairsPerPattern: integer('--pairs-per-pattern', flags.pairsPerPattern, 1) } : {}),
          ...(flags.llavaPairsPerPattern !== undefined ? { llavaPairsPerPattern: integer('--llava-pairs-per-pattern', flags.llavaPairsPerPattern, 1) } : {}),
          ...(flags.models !== undefined
            ? {
                models: flags.models
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean),
              }
            : {}),
          ...(flags.clipMin !== undefined ? { clipMin: fraction('--clip-min', flags.clipMin) } : {}),
          ...(flags.dinoMax !== undefined ? { dinoMax: fraction('--dino-max', flags.dinoMax) } : {}),
          report: flags.report,
          command: `mmvp demo --out ${flags.out} --seed ${flags.seed}${flags.pairsPerPattern === undefined ? '' : ` --pairs-per-pattern ${flags.pairsPerPattern}`}${flags.llavaPairsPerPattern === undefined ? '' : ` --llava-pairs-per-pattern ${flags.llavaPairsPerPattern}`}${flags.models ? ` --models ${flags.models}` : ''}`,
          signal: controller.signal,
          onProgress: (event) => {
            const line = progressLine(event);
            if (line !== undefined) say(line);
            if (event.type === 'resolved') say(kernels);
          },
        });
        const { findings } = result;
        say(`finding 1 (CLIP is blind to patterns an SSL model sees): ${findings.clipBlindness.statement}`);
        say(`finding 2 (the MLLM inherits CLIP's per-pattern failures): ${findings.inheritance.statement}`);
        say(`finding 3 (mixing in SSL features): ${findings.mixture.statement}`);
        process.stderr.write(
          `demo: timing summary\n${result.timings.map((t) => `  ${t.stage.padEnd(52)} ${t.seconds.toFixed(1).padStart(7)} s`).join('\n')}\n  ${'total'.padEnd(52)} ${result.seconds.toFixed(1).padStart(7)} s\n`,
        );
        process.stdout.write(`${join(result.out, 'report.html')}\n`);
      } finally {
        process.off('SIGINT', interrupt);
      }
    });
}
