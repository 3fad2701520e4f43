import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { LABEL_SETS } from '@mmvp/datasets';
import { GRADERS, PROMPT_STYLES, evaluateMllm, summaryLines, type EvaluateMllmOptions } from '@mmvp/study';
import { MLLM_SHARD_SIZE, queueSummaryLine, parseRedisUrl } from '@mmvp/study/queue';
import type { Command } from 'commander';
import { checkOutputFolder } from '../output-file';
import { addEndpointOptions, endpointFromFlags, type EndpointFlags } from '../shared/endpoint-flags';
import { printProgress, withInterrupt } from '../shared/print-progress';
import { positiveIntegerOption } from '../shared/positive-integer-option';
import { cliVersion } from '../version';

interface EvalMllmFlags extends EndpointFlags {
  pipeline?: string;
  data: string;
  out: string;
  prompt?: string;
  resume?: boolean;
  labels: string;
  judge: string;
  patterns?: string;
  judgeUrl: string;
  judgeModel?: string;
  judgeKeyEnv: string;
  strict?: boolean;
  json?: boolean;
  queue?: string;
  queueName: string;
  shardSize?: string;
}

/** `mmvp eval-mllm`: answers.jsonl from a pipeline on every MMVP question, then grading (evaluateMllm of @mmvp/study). */
export function registerEvalMllm(program: Command): void {
  program
    .command('eval-mllm')
    .description('run a pipeline on every MMVP question, appending each answer to DIR/answers.jsonl as it is produced (--resume continues a killed run), then grade')
    .option('--pipeline <config>', 'pipeline config (JSON) with a decoder section, or an endpoint config ("kind": "endpoint"); or --endpoint. A config is code, like a plugin list: its encoders\' `use` modules run')
    .requiredOption('--data <dir>', "MMVP folder (Questions.csv + 'MMVP Images/'; a patterns.csv there gives a per-pattern table)")
    .requiredOption('--out <dir>', 'folder for answers.jsonl, run-identity.json, scores.json, scores.csv, graded.csv, scores.md, run.json (mmvp report renders it)')
    .option(
      '--prompt <style>',
      `question style: ${listChoices(PROMPT_STYLES)} (original: question + ' ' + options, the study's script; lmms: lettered options + 'Answer with the option's letter...', as lmms-eval; cambrian: the same after ' Options:', as Cambrian's mmvp_eval); default: the config's`,
    )
    .option('--resume', 'continue DIR/answers.jsonl, skipping the questions already answered (the settings must be the same)')
    .option('--labels <set>', `label set for grading: ${listChoices(LABEL_SETS)}`, 'original')
    .option('--judge <grader>', `grader: ${listChoices(GRADERS)}`, 'rule')
    .option('--patterns <csv>', 'question -> pattern map (default: DATA/patterns.csv when present)')
    .option('--judge-url <url>', 'OpenAI-compatible endpoint for --judge llm', 'https://api.openai.com/v1')
    .option('--judge-model <name>', 'judge model for --judge llm')
    .option('--judge-key-env <name>', "environment variable holding the judge's API key ('none': no key)", 'OPENAI_API_KEY')
    .option('--strict', 'fail on any problem in the benchmark folder (default: skip the pairs with a missing or unreadable image, and say so)')
    .option('--json', 'print scores.json on stdout')
    .option('--queue <url>', 'run distributed: plan jobs on Redis (redis://HOST:PORT[/DB]) for `mmvp worker`s, commit their checked answers here; with --resume enqueues only what is missing')
    .option('--queue-name <name>', 'BullMQ queue name with --queue (workers listen on the same)', 'mmvp')
    .option('--shard-size <n>', 'questions per job with --queue (whole pairs)', String(MLLM_SHARD_SIZE))
    .action(async (flags: EvalMllmFlags) => {
      const options = parseFlags(flags);
      await checkOutputFolder(flags.out, '--out');
      const progress = printProgress('eval-mllm');
      const result = await withInterrupt('interrupted; run again with --resume to continue', (signal) => evaluateMllm({ ...options, signal, onProgress: progress.onProgress }).finally(() => progress.finish()));
      if (result.queue !== undefined) process.stderr.write(`${queueSummaryLine(result.queue)}\n`);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result.scores)}\n`);
        return;
      }
      const skipped = result.skippedPairs.map((pair) => `  skipped pair ${pair.pairId}: ${pair.reason}\n`).join('');
      process.stdout.write(
        `${summaryLines(result.scores).join('\n')}\n` +
          (result.skippedPairs.length > 0 ? `${result.skippedPairs.length} pair(s) skipped (not scored):\n${skipped}` : '') +
          `prompt ${result.promptStyle}, grader ${flags.judge}; ${result.asked} question(s) asked in this run\n` +
          `wrote ${result.files.join(', ')}\n`,
      );
    });
  addEndpointOptions(program.commands.at(-1)!); // --endpoint, --endpoint-model, --api-key-env and the request limits
}

function parseFlags(flags: EvalMllmFlags): EvaluateMllmOptions {
  const choose = <T extends string>(flag: string, value: string, choices: readonly T[]): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`${flag} '${value}' is not valid; valid choices: ${listChoices(choices)}`);
    return value as T;
  };
  const endpoint = endpointFromFlags(flags);
  if ((endpoint === undefined) === (flags.pipeline === undefined)) throw new InvalidArgumentError('give either --pipeline CFG or --endpoint URL --endpoint-model NAME');
  return {
    ...(flags.pipeline === undefined ? {} : { pipeline: flags.pipeline }),
    ...(endpoint === undefined ? {} : { endpoint }),
    data: flags.data,
    out: flags.out,
    ...(flags.prompt === undefined ? {} : { promptStyle: choose('--prompt', flags.prompt, PROMPT_STYLES) }),
    resume: flags.resume === true,
    labels: choose('--labels', flags.labels, LABEL_SETS),
    grader: choose('--judge', flags.judge, GRADERS),
    ...(flags.patterns === undefined ? {} : { patternsFile: flags.patterns }),
    judgeUrl: flags.judgeUrl,
    ...(flags.judgeModel === undefined ? {} : { judgeModel: flags.judgeModel }),
    judgeKeyEnv: flags.judgeKeyEnv,
    strict: flags.strict === true,
    ...(flags.queue === undefined ? {} : { queue: { url: checkedQueueUrl(flags.queue), queueName: flags.queueName, shardSize: positiveIntegerOption('--shard-size', flags.shardSize ?? String(MLLM_SHARD_SIZE)) } }),
    tool: `mmvp ${cliVersion}`,
  };
}

/** The --queue URL, checked before anything is loaded. */
function checkedQueueUrl(url: string): string {
  parseRedisUrl(url);
  return url;
}
