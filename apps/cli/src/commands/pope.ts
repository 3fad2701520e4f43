import { join } from 'node:path';
import type { Command } from 'commander';
import { evaluatePope, evaluatePopeOptionsSchema, popeSummaryLines, type EvaluatePopeOptions } from '@mmvp/study';
import { POPE_SHARD_SIZE } from '@mmvp/study/queue';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { endpointFlags, jsonFlag, pipelineOrEndpoint, queueFlags, runtimeKeys } from '../flags/shared-flags';
import { checkOutputFolder } from '../output-file';
import { withInterrupt } from '../run/interrupt';
import { createProgressPrinter } from '../run/progress-printer';
import { cliVersion } from '../version';

/** evaluatePope's options as flags. */
const popeFlags: FlagTable<EvaluatePopeOptions> = {
  pipeline: {
    flag: '--pipeline <config>',
    description: 'pipeline config (JSON) with a decoder section, or an endpoint config ("kind": "endpoint"); or --endpoint. A config is code, like a plugin list: its encoders\' `use` modules run',
  },
  data: { flag: '--data <dir>', description: 'folder with the released question files (coco_pope_random.json, coco_pope_popular.json, coco_pope_adversarial.json: JSON lines)' },
  images: { flag: '--images <dir>', description: 'the images the questions name (COCO val2014); default DATA/val2014, else DATA/images, else DATA' },
  out: { flag: '--out <dir>', description: 'folder for pope-answers.jsonl, run-identity.json, pope-scores.json' },
  resume: { flag: '--resume', description: 'continue DIR/pope-answers.jsonl, skipping the questions already answered (the settings must be the same)' },
  strict: {
    flag: '--strict',
    description:
      'fail on any problem in the question files or their images (missing, or not decodable; checked before the first model call); default: report it, skip that question and list it in pope-scores.json skippedQuestions',
  },
  queue: queueFlags('run distributed: plan jobs on Redis (redis://HOST:PORT[/DB]) for `mmvp worker`s, commit their checked answers here; with --resume enqueues only what is missing', {
    flag: '--shard-size <n>',
    description: `questions per job with --queue (default: ${POPE_SHARD_SIZE})`,
  }),
  endpoint: endpointFlags,
  answerer: notAFlag('a stand-in model for library tests'),
  ...runtimeKeys,
};
const cliFlags: FlagTable<{ json?: boolean }> = { json: jsonFlag('print pope-scores.json on stdout') };

/** `mmvp pope`: POPE accuracy, precision, recall, F1 and yes-ratio per split (evaluatePope of @mmvp/study). */
export function registerPope(program: Command): void {
  const command = program
    .command('pope')
    .description(
      'run a pipeline (or a model behind an OpenAI-compatible endpoint: --endpoint) on the POPE questions (random/popular/adversarial), appending each answer to DIR/pope-answers.jsonl as it is produced (--resume continues a killed run); accuracy, precision, recall, F1, yes-ratio per split',
    );
  declareFlags(declareFlags(command, popeFlags, evaluatePopeOptionsSchema), cliFlags).action(async (values: Record<string, unknown>) => {
    const options = optionsFromFlags(popeFlags, values) as EvaluatePopeOptions;
    pipelineOrEndpoint(options);
    await checkOutputFolder(options.out, '--out');
    const printer = createProgressPrinter('mmvp pope', 'pope');
    const evaluation = await withInterrupt('the answers so far are kept; run again with --resume to continue', (abortSignal) =>
      evaluatePope({ ...options, queue: options.queue && { shardSize: POPE_SHARD_SIZE, ...options.queue }, tool: `mmvp ${cliVersion}`, abortSignal, onEvent: printer.event }),
    ).finally(printer.finish);
    if (evaluation.queueSummary !== undefined) process.stderr.write(`${evaluation.queueSummary}\n`);
    if (values['json']) return void process.stdout.write(`${JSON.stringify(evaluation)}\n`);
    const files = [join(options.out, 'pope-answers.jsonl'), join(options.out, 'pope-scores.json')];
    process.stdout.write(`${popeSummaryLines(evaluation).join('\n')}\n${evaluation.asked} question(s) asked in this run\nwrote ${files.join(', ')}\n`);
  });
}
