import { join } from 'node:path';
import { evaluatePope, popeSummaryLines } from '@mmvp/study';
import type { Command } from 'commander';
import { checkOutputFolder } from '../output-file';
import { printProgress, withInterrupt } from '../shared/print-progress';
import { cliVersion } from '../version';

interface PopeFlags {
  pipeline: string;
  data: string;
  images?: string;
  out: string;
  resume?: boolean;
  strict?: boolean;
  json?: boolean;
}

/** `mmvp pope`: POPE accuracy, precision, recall, F1 and yes-ratio per split (evaluatePope of @mmvp/study). */
export function registerPope(program: Command): void {
  program
    .command('pope')
    .description('run a pipeline on the POPE questions (random/popular/adversarial), appending each answer to DIR/pope-answers.jsonl as it is produced (--resume continues a killed run); accuracy, precision, recall, F1, yes-ratio per split')
    .requiredOption('--pipeline <config>', 'pipeline config (JSON) with a decoder section')
    .requiredOption('--data <dir>', 'folder with the released question files (coco_pope_random.json, coco_pope_popular.json, coco_pope_adversarial.json: JSON lines)')
    .option('--images <dir>', 'the images the questions name (COCO val2014); default DATA/val2014, else DATA/images, else DATA')
    .requiredOption('--out <dir>', 'folder for pope-answers.jsonl, run-identity.json, pope-scores.json')
    .option('--resume', 'continue DIR/pope-answers.jsonl, skipping the questions already answered (the settings must be the same)')
    .option('--strict', 'fail on any problem in the question files (default: report it and skip that question)')
    .option('--json', 'print pope-scores.json on stdout')
    .action(async (flags: PopeFlags) => {
      await checkOutputFolder(flags.out, '--out');
      const progress = printProgress('pope');
      const evaluation = await withInterrupt('interrupted; run again with --resume to continue', (signal) =>
        evaluatePope({
          pipeline: flags.pipeline,
          data: flags.data,
          ...(flags.images === undefined ? {} : { images: flags.images }),
          out: flags.out,
          resume: flags.resume === true,
          strict: flags.strict === true,
          tool: `mmvp ${cliVersion}`,
          signal,
          onProgress: progress.onProgress,
        }).finally(() => progress.finish()),
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(evaluation)}\n`);
      else process.stdout.write(`${popeSummaryLines(evaluation).join('\n')}\n${evaluation.asked} question(s) asked in this run\nwrote ${join(flags.out, 'pope-answers.jsonl')}, ${join(flags.out, 'pope-scores.json')}\n`);
    });
}
