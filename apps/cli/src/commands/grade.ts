import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ORIGINAL_JUDGE } from '@mmvp/metrics';
import { withRunFolderLock } from '@mmvp/results';
import { gradeMllmAnswers, gradeMllmOptionsSchema, summaryLines, type GradeMllmOptions } from '@mmvp/study';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { jsonFlag, judgeFlags, runtimeKeys } from '../flags/shared-flags';
import { checkOutputFolder } from '../output-file';
import { createProgressPrinter } from '../run/progress-printer';
import { cliVersion } from '../version';

/** gradeMllmAnswers' options as flags. */
const gradeFlags: FlagTable<GradeMllmOptions> = {
  questionsFile: { flag: '--questions <csv>', description: 'MMVP Questions.csv' },
  answersFile: {
    flag: '--answers <file>',
    description:
      "answers: the original script's answers.jsonl (question_id, response, ...), lmms-eval's --log_samples samples_<task>.jsonl (question = mmvp_accuracy.index + 1), " +
      "Cambrian's answers .jsonl (question = question_id + 1, response = answer), or VLMEvalKit's <model>_<dataset>.xlsx / .tsv / .json predictions (question = index, response = prediction); " +
      "a peer's record must ask the question of the row it pairs with (lmms-eval input, Cambrian prompt, VLMEvalKit question), else nothing is graded. Answers are paired with questions by id, " +
      'not by line order as the original gpt_grader.py does; a file out of question order gets a warning',
  },
  out: { flag: '--out <dir>', description: 'folder for scores.json, scores.csv, graded.csv, scores.md and run.json (mmvp report renders it)' },
  grader: { flag: '--judge <grader>', description: 'grader (rule: extract the option, never guess; llm: the original GPT yes/no judge)' },
  labels: { flag: '--labels <set>', description: 'label set (corrected swaps rows 99/100 and 279/280)' },
  patternsFile: { flag: '--patterns <csv>', description: 'question -> pattern map (index,pattern), e.g. the patterns.csv of mmvp synth' },
  ...judgeFlags,
  judgeModel: { flag: '--judge-model <name>', description: `judge model for --judge llm (the original study used ${ORIGINAL_JUDGE.model})` },
  judgeCache: { flag: '--judge-cache <file>', description: 'judge reply cache (default <out>/judge-cache.jsonl)' },
  judgeConcurrency: { flag: '--judge-concurrency <n>', description: 'judge requests in flight' },
  allowMissing: { flag: '--allow-missing', description: 'score only complete pairs when some questions have no answer (default: error)' },
  strict: { flag: '--strict', description: 'fail on any problem in Questions.csv (default: report it and leave out the broken pairs)' },
  extraProvenance: notAFlag('workflows that grade after answering record their own provenance'),
  skippedPairs: notAFlag('eval-mllm passes the pairs it left out'),
  questionSet: notAFlag('questions already read (eval-mllm)'),
  ...runtimeKeys,
};
const cliFlags: FlagTable<{ json?: boolean }> = { json: jsonFlag('print scores.json on stdout') };

/** `mmvp grade`: scores an answers.jsonl (the original study's fields) against Questions.csv (gradeMllmAnswers of @mmvp/study). */
export function registerGrade(program: Command): void {
  const command = program
    .command('grade')
    .description(
      "score an answers.jsonl (fields question_id, prompt, answer, response, as the original study's scripts write them) against MMVP's Questions.csv: pair accuracy (the paper's metric), per-question accuracy, per-pattern table, each with its 95% Wilson interval",
    );
  declareFlags(declareFlags(command, gradeFlags, gradeMllmOptionsSchema), cliFlags).action(async (values: Record<string, unknown>) => {
    const options = optionsFromFlags(gradeFlags, values) as GradeMllmOptions;
    await checkOutputFolder(options.out, '--out');
    const printer = createProgressPrinter('mmvp grade', 'grade');
    const grade = () => gradeMllmAnswers({ ...options, tool: `mmvp ${cliVersion}`, onEvent: printer.event }).finally(printer.finish);
    // an existing folder may be a run in progress: grade holds its lock (without claiming it: scores go beside any run's answers)
    const document = existsSync(options.out) ? await withRunFolderLock(resolve(options.out), 'grade', grade, { claim: false }) : await grade();
    if (values['json']) process.stdout.write(`${JSON.stringify(document)}\n`);
    else process.stdout.write(`${summaryLines(document).join('\n')}\nwrote ${['scores.json', 'scores.csv', 'graded.csv', 'scores.md', 'run.json'].map((name) => join(options.out, name)).join(', ')}\n`);
  });
}
