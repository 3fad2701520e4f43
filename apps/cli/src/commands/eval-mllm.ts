import type { Command } from 'commander';
import { evaluateMllm, evaluateMllmOptionsSchema, summaryLines, type EvaluateMllmOptions } from '@mmvp/study';
import { MLLM_SHARD_SIZE, queueSummaryLine } from '@mmvp/study/queue';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { endpointFlags, jsonFlag, judgeFlags, pipelineOrEndpoint, queueFlags, runtimeKeys } from '../flags/shared-flags';
import { checkOutputFolder } from '../output-file';
import { withInterrupt } from '../run/interrupt';
import { createProgressPrinter } from '../run/progress-printer';
import { cliVersion } from '../version';

/** evaluateMllm's options as flags. */
const evalMllmFlags: FlagTable<EvaluateMllmOptions> = {
  pipeline: {
    flag: '--pipeline <config>',
    description: 'pipeline config (JSON) with a decoder section, or an endpoint config ("kind": "endpoint"); or --endpoint. A config is code, like a plugin list: its encoders\' `use` modules run',
  },
  data: { flag: '--data <dir>', description: "MMVP folder (Questions.csv + 'MMVP Images/'; a patterns.csv there gives a per-pattern table)" },
  out: { flag: '--out <dir>', description: 'folder for answers.jsonl, run-identity.json, scores.json, scores.csv, graded.csv, scores.md, run.json, mllm-scores.json (mmvp report renders it)' },
  promptStyle: {
    flag: '--prompt <style>',
    description:
      "question style (original: question + ' ' + options, the study's script; lmms: lettered options + 'Answer with the option's letter...', as lmms-eval; cambrian: the same after ' Options:', as Cambrian's mmvp_eval); default: the config's",
  },
  resume: { flag: '--resume', description: 'continue DIR/answers.jsonl, skipping the questions already answered (the settings must be the same)' },
  labels: { flag: '--labels <set>', description: 'label set for grading' },
  grader: { flag: '--judge <grader>', description: 'grader' },
  patternsFile: { flag: '--patterns <csv>', description: 'question -> pattern map (default: DATA/patterns.csv when present)' },
  ...judgeFlags,
  judgeConcurrency: notAFlag("the judge's default concurrency (mmvp grade --judge-concurrency sets it when regrading)"),
  strict: { flag: '--strict', description: 'fail on any problem in the benchmark folder (default: skip the pairs with a missing or unreadable image, and say so)' },
  queue: queueFlags('run distributed: plan jobs on Redis (redis://HOST:PORT[/DB]) for `mmvp worker`s, commit their checked answers here; with --resume enqueues only what is missing', {
    flag: '--shard-size <n>',
    description: `questions per job with --queue (whole pairs; default: ${MLLM_SHARD_SIZE})`,
  }),
  endpoint: endpointFlags,
  ...runtimeKeys,
};
const cliFlags: FlagTable<{ json?: boolean }> = { json: jsonFlag('print scores.json on stdout') };

/** `mmvp eval-mllm`: answers.jsonl from a pipeline on every MMVP question, then grading (evaluateMllm of @mmvp/study). */
export function registerEvalMllm(program: Command): void {
  const command = program.command('eval-mllm').description('run a pipeline on every MMVP question, appending each answer to DIR/answers.jsonl as it is produced (--resume continues a killed run), then grade');
  declareFlags(declareFlags(command, evalMllmFlags, evaluateMllmOptionsSchema), cliFlags).action(async (values: Record<string, unknown>) => {
    const options = optionsFromFlags(evalMllmFlags, values) as EvaluateMllmOptions;
    pipelineOrEndpoint(options);
    await checkOutputFolder(options.out, '--out');
    const printer = createProgressPrinter('mmvp eval-mllm', 'eval-mllm');
    const result = await withInterrupt('the answers so far are kept; run again with --resume to continue', (abortSignal) =>
      evaluateMllm({ ...options, queue: options.queue && { shardSize: MLLM_SHARD_SIZE, ...options.queue }, tool: `mmvp ${cliVersion}`, abortSignal, onEvent: printer.event }),
    ).finally(printer.finish);
    if (result.queue !== undefined) process.stderr.write(`${queueSummaryLine(result.queue)}\n`);
    if (values['json']) return void process.stdout.write(`${JSON.stringify(result.scores)}\n`);
    const skipped = result.skippedPairs.map((pair) => `  skipped pair ${pair.pairId}: ${pair.reason}\n`).join('');
    process.stdout.write(
      `${summaryLines(result.scores).join('\n')}\n` +
        (result.skippedPairs.length > 0 ? `${result.skippedPairs.length} pair(s) skipped (not scored):\n${skipped}` : '') +
        `prompt ${result.promptStyle}, grader ${options.grader ?? 'rule'}; ${result.asked} question(s) asked in this run\n` +
        `wrote ${result.files.join(', ')}\n`,
    );
  });
}
