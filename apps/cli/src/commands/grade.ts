import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { LABEL_SETS } from '@mmvp/datasets';
import { ORIGINAL_JUDGE } from '@mmvp/metrics';
import { withRunFolderLock } from '@mmvp/results';
import { GRADERS, gradeMllmAnswers, summaryLines, type GradeMllmOptions } from '@mmvp/study';
import type { Command } from 'commander';
import { checkOutputFolder } from '../output-file';
import { positiveIntegerOption } from '../shared/positive-integer-option';
import { printProgress } from '../shared/print-progress';
import { cliVersion } from '../version';

interface GradeFlags {
  questions: string;
  answers: string;
  judge: string;
  labels: string;
  patterns?: string;
  out: string;
  json?: boolean;
  judgeUrl: string;
  judgeModel?: string;
  judgeKeyEnv: string;
  judgeCache?: string;
  judgeConcurrency: string;
  allowMissing?: boolean;
  strict?: boolean;
}

/** `mmvp grade`: scores an answers.jsonl (the original study's fields) against Questions.csv (gradeMllmAnswers of @mmvp/study). */
export function registerGrade(program: Command): void {
  program
    .command('grade')
    .description(
      "score an answers.jsonl (fields question_id, prompt, answer, response, as the original study's scripts write them) against MMVP's Questions.csv: pair accuracy (the paper's metric), per-question accuracy, per-pattern table, each with its 95% Wilson interval",
    )
    .requiredOption('--questions <csv>', 'MMVP Questions.csv')
    .requiredOption(
      '--answers <file>',
      "answers: the original script's answers.jsonl (question_id, response, ...), lmms-eval's --log_samples samples_<task>.jsonl (question = mmvp_accuracy.index + 1), " +
        "Cambrian's answers .jsonl (question = question_id + 1, response = answer), or VLMEvalKit's <model>_<dataset>.xlsx / .tsv / .json predictions (question = index, response = prediction); " +
        "a peer's record must ask the question of the row it pairs with (lmms-eval input, Cambrian prompt, VLMEvalKit question), else nothing is graded. Answers are paired with questions by id, " +
        'not by line order as the original gpt_grader.py does; a file out of question order gets a warning',
    )
    .requiredOption('--out <dir>', 'folder for scores.json, scores.csv, graded.csv, scores.md and run.json (mmvp report renders it)')
    .option('--judge <grader>', `grader: ${listChoices(GRADERS)} (rule: extract the option, never guess; llm: the original GPT yes/no judge)`, 'rule')
    .option('--labels <set>', `label set: ${listChoices(LABEL_SETS)} (corrected swaps rows 99/100 and 279/280)`, 'original')
    .option('--patterns <csv>', 'question -> pattern map (index,pattern), e.g. the patterns.csv of mmvp synth')
    .option('--judge-url <url>', 'OpenAI-compatible endpoint for --judge llm', 'https://api.openai.com/v1')
    .option('--judge-model <name>', `judge model for --judge llm (the original study used ${ORIGINAL_JUDGE.model})`)
    .option('--judge-key-env <name>', "environment variable holding the judge's API key ('none': send no key)", 'OPENAI_API_KEY')
    .option('--judge-cache <file>', 'judge reply cache (default <out>/judge-cache.jsonl)')
    .option('--judge-concurrency <n>', 'judge requests in flight', '4')
    .option('--allow-missing', 'score only complete pairs when some questions have no answer (default: error)')
    .option('--strict', 'fail on any problem in Questions.csv (default: report it and leave out the broken pairs)')
    .option('--json', 'print scores.json on stdout')
    .action(async (flags: GradeFlags) => {
      const options = parseGradeFlags(flags);
      await checkOutputFolder(flags.out, '--out');
      const progress = printProgress('grade');
      const grade = () => gradeMllmAnswers({ ...options, onProgress: progress.onProgress }).finally(() => progress.finish());
      // an existing folder may be a run in progress: grade holds its lock (without claiming it: scores go beside any run's answers)
      const document = existsSync(flags.out) ? await withRunFolderLock(resolve(flags.out), 'grade', grade, { claim: false }) : await grade();
      if (flags.json) process.stdout.write(`${JSON.stringify(document)}\n`);
      else process.stdout.write(`${summaryLines(document).join('\n')}\nwrote ${['scores.json', 'scores.csv', 'graded.csv', 'scores.md', 'run.json'].map((name) => join(flags.out, name)).join(', ')}\n`);
    });
}

function parseGradeFlags(flags: GradeFlags): GradeMllmOptions {
  if (!(GRADERS as readonly string[]).includes(flags.judge)) throw new InvalidArgumentError(`--judge '${flags.judge}' is not valid; valid choices: ${listChoices(GRADERS)}`);
  if (!(LABEL_SETS as readonly string[]).includes(flags.labels)) throw new InvalidArgumentError(`--labels '${flags.labels}' is not valid; valid choices: ${listChoices(LABEL_SETS)}`);
  return {
    questionsFile: flags.questions,
    answersFile: flags.answers,
    grader: flags.judge as GradeMllmOptions['grader'] & string,
    labels: flags.labels as (typeof LABEL_SETS)[number],
    ...(flags.patterns === undefined ? {} : { patternsFile: flags.patterns }),
    out: flags.out,
    judgeUrl: flags.judgeUrl,
    ...(flags.judgeModel === undefined ? {} : { judgeModel: flags.judgeModel }),
    judgeKeyEnv: flags.judgeKeyEnv,
    ...(flags.judgeCache === undefined ? {} : { judgeCache: flags.judgeCache }),
    judgeConcurrency: positiveIntegerOption('--judge-concurrency', flags.judgeConcurrency),
    allowMissing: flags.allowMissing === true,
    strict: flags.strict === true,
    tool: `mmvp ${cliVersion}`,
  };
}
