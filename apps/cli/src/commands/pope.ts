import { join } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { evaluatePope, popeSummaryLines } from '@mmvp/study';
import { POPE_SHARD_SIZE, parseRedisUrl } from '@mmvp/study/queue';
import type { Command } from 'commander';
import { checkOutputFolder } from '../output-file';
import { addEndpointOptions, endpointFromFlags, type EndpointFlags } from '../shared/endpoint-flags';
import { printProgress, withInterrupt } from '../shared/print-progress';
import { positiveIntegerOption } from '../shared/positive-integer-option';
import { cliVersion } from '../version';

interface PopeFlags extends EndpointFlags {
  pipeline?: string;
  data: string;
  images?: string;
  out: string;
  resume?: boolean;
  strict?: boolean;
  json?: boolean;
  queue?: string;
  queueName: string;
  shardSize?: string;
}

/** `mmvp pope`: POPE accuracy, precision, recall, F1 and yes-ratio per split (evaluatePope of @mmvp/study). */
export function registerPope(program: Command): void {
  program
    .command('pope')
    .description(
      'run a pipeline (or a model behind an OpenAI-compatible endpoint: --endpoint) on the POPE questions (random/popular/adversarial), appending each answer to DIR/pope-answers.jsonl as it is produced (--resume continues a killed run); accuracy, precision, recall, F1, yes-ratio per split',
    )
    .option('--pipeline <config>', 'pipeline config (JSON) with a decoder section, or an endpoint config ("kind": "endpoint"); or --endpoint. A config is code, like a plugin list: its encoders\' `use` modules run')
    .requiredOption('--data <dir>', 'folder with the released question files (coco_pope_random.json, coco_pope_popular.json, coco_pope_adversarial.json: JSON lines)')
    .option('--images <dir>', 'the images the questions name (COCO val2014); default DATA/val2014, else DATA/images, else DATA')
    .requiredOption('--out <dir>', 'folder for pope-answers.jsonl, run-identity.json, pope-scores.json')
    .option('--resume', 'continue DIR/pope-answers.jsonl, skipping the questions already answered (the settings must be the same)')
    .option(
      '--strict',
      'fail on any problem in the question files or their images (missing, or not decodable; checked before the first model call); default: report it, skip that question and list it in pope-scores.json skippedQuestions',
    )
    .option('--json', 'print pope-scores.json on stdout')
    .option('--queue <url>', 'run distributed: plan jobs on Redis (redis://HOST:PORT[/DB]) for `mmvp worker`s, commit their checked answers here; with --resume enqueues only what is missing')
    .option('--queue-name <name>', 'BullMQ queue name with --queue (workers listen on the same)', 'mmvp')
    .option('--shard-size <n>', 'questions per job with --queue', String(POPE_SHARD_SIZE))
    .action(async (flags: PopeFlags) => {
      const endpoint = endpointFromFlags(flags);
      if ((endpoint === undefined) === (flags.pipeline === undefined)) throw new InvalidArgumentError('give either --pipeline CFG or --endpoint URL --endpoint-model NAME');
      if (flags.queue !== undefined) parseRedisUrl(flags.queue);
      const shardSize = positiveIntegerOption('--shard-size', flags.shardSize ?? String(POPE_SHARD_SIZE));
      await checkOutputFolder(flags.out, '--out');
      const progress = printProgress('pope');
      const evaluation = await withInterrupt('interrupted; run again with --resume to continue', (signal) =>
        evaluatePope({
          ...(flags.pipeline === undefined ? {} : { pipeline: flags.pipeline }),
          ...(endpoint === undefined ? {} : { endpoint }),
          data: flags.data,
          ...(flags.images === undefined ? {} : { images: flags.images }),
          out: flags.out,
          resume: flags.resume === true,
          strict: flags.strict === true,
          ...(flags.queue === undefined ? {} : { queue: { url: flags.queue, queueName: flags.queueName, shardSize } }),
          tool: `mmvp ${cliVersion}`,
          signal,
          onProgress: progress.onProgress,
        }).finally(() => progress.finish()),
      );
      if (evaluation.queueSummary !== undefined) process.stderr.write(`${evaluation.queueSummary}\n`);
      if (flags.json) process.stdout.write(`${JSON.stringify(evaluation)}\n`);
      else process.stdout.write(`${popeSummaryLines(evaluation).join('\n')}\n${evaluation.asked} question(s) asked in this run\nwrote ${join(flags.out, 'pope-answers.jsonl')}, ${join(flags.out, 'pope-scores.json')}\n`);
    });
  addEndpointOptions(program.commands.at(-1)!); // --endpoint, --endpoint-model, --api-key-env and the request limits
}
