import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DatasetError, InvalidArgumentError, listChoices } from '@mmvp/core';
import { LABEL_SETS, MMVP_PATTERNS, formatIssue, readAnswers, readMmvpQuestions, readPatternMap, type AnswerRecord, type LabelSet, type MmvpQuestion, type MmvpQuestionSet } from '@mmvp/datasets';
import {
  ORIGINAL_JUDGE,
  createLlmJudge,
  gradeAnswers,
  gradedCsv,
  scoresMarkdown,
  summarizeMmvp,
  type GradedQuestion,
  type Grader,
  type LlmJudge,
  type MmvpScores,
} from '@mmvp/metrics';
import type { Command } from 'commander';
import { packageVersions } from '@mmvp/study';
import { positiveIntegerOption } from '../shared/positive-integer-option';
import { createProgress } from '../shared/progress';
import { sha256File } from '@mmvp/study';
import { prepareOutputFolder } from '../output-file';
import { writeAtomically } from '@mmvp/study';
import { cliVersion } from '../version';

const GRADERS = ['rule', 'llm'] as const;
type GraderKind = (typeof GRADERS)[number];

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

/** How `mmvp grade` (and `mmvp eval-mllm` after answering) grades. */
export interface GradeSettings {
  readonly questionsFile: string;
  readonly answersFile: string;
  readonly grader: GraderKind;
  readonly labels: LabelSet;
  readonly patternsFile?: string;
  readonly out: string;
  readonly judgeUrl: string;
  readonly judgeModel?: string;
  readonly judgeKeyEnv: string;
  readonly judgeCache?: string;
  readonly judgeConcurrency: number;
  /** Score only the complete pairs when some questions have no answer (default: an error). */
  readonly allowMissing: boolean;
  readonly strict?: boolean;
  /** Extra provenance merged into scores.json (eval-mllm adds pipeline, models, prompt, decoding). */
  readonly extraProvenance?: Record<string, unknown>;
  /** Questions already read (eval-mllm), else read from questionsFile. */
  readonly questionSet?: MmvpQuestionSet;
}

/** scores.json */
export interface ScoresDocument extends MmvpScores {
  readonly benchmark: 'MMVP';
  readonly grader: Record<string, unknown>;
  readonly labels: LabelSet;
  readonly labelCorrections: MmvpQuestionSet['labelCorrections'];
  readonly skippedQuestions: readonly number[];
  readonly inputs: Record<string, unknown>;
  readonly provenance: Record<string, unknown>;
}

/** `mmvp grade`: scores an answers.jsonl (the original study's fields) against Questions.csv. */
export function registerGrade(program: Command): void {
  program
    .command('grade')
    .description(
      "score an answers.jsonl (fields question_id, prompt, answer, response, as the original study's scripts write them) against MMVP's Questions.csv: pair accuracy (the paper's metric), per-question accuracy, per-pattern table",
    )
    .requiredOption('--questions <csv>', 'MMVP Questions.csv')
    .requiredOption('--answers <jsonl>', 'answers, one JSON object per line')
    .requiredOption('--out <dir>', 'folder for scores.json, graded.csv and scores.md')
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
      const settings = parseGradeFlags(flags);
      await prepareOutputFolder(settings.out, '--out');
      const document = await gradeToDirectory(settings);
      if (flags.json) process.stdout.write(`${JSON.stringify(document)}\n`);
      else process.stdout.write(formatSummary(document, settings.out));
    });
}

function parseGradeFlags(flags: GradeFlags): GradeSettings {
  if (!(GRADERS as readonly string[]).includes(flags.judge)) throw new InvalidArgumentError(`--judge '${flags.judge}' is not valid; valid choices: ${listChoices(GRADERS)}`);
  if (!(LABEL_SETS as readonly string[]).includes(flags.labels)) throw new InvalidArgumentError(`--labels '${flags.labels}' is not valid; valid choices: ${listChoices(LABEL_SETS)}`);
  const concurrency = positiveIntegerOption('--judge-concurrency', flags.judgeConcurrency);
  return {
    questionsFile: flags.questions,
    answersFile: flags.answers,
    grader: flags.judge as GraderKind,
    labels: flags.labels as LabelSet,
    ...(flags.patterns === undefined ? {} : { patternsFile: flags.patterns }),
    out: flags.out,
    judgeUrl: flags.judgeUrl,
    ...(flags.judgeModel === undefined ? {} : { judgeModel: flags.judgeModel }),
    judgeKeyEnv: flags.judgeKeyEnv,
    ...(flags.judgeCache === undefined ? {} : { judgeCache: flags.judgeCache }),
    judgeConcurrency: concurrency,
    allowMissing: flags.allowMissing === true,
    strict: flags.strict === true,
  };
}

/**
 * Reads questions and answers, grades, writes scores.json / graded.csv / scores.md into `out`, and
 * returns the scores document. Every input problem is reported before any grading starts; outputs
 * are written only when grading finished (each file replaced atomically), and judge replies are
 * cached as they arrive, so a failed run loses nothing.
 */
export async function gradeToDirectory(settings: GradeSettings): Promise<ScoresDocument> {
  // Fail on grader settings before reading anything big.
  const apiKey = resolveJudgeKey(settings);
  const questionSet = settings.questionSet ?? (await readMmvpQuestions(settings.questionsFile, { labels: settings.labels, strict: settings.strict === true }));
  const { answers } = await readAnswers(settings.answersFile);
  const patternOf = settings.patternsFile === undefined ? undefined : await readPatternMap(settings.patternsFile);
  const items = joinAnswers(questionSet, answers, settings);

  let judge: LlmJudge | undefined;
  let grader: Grader = { kind: 'rule' };
  const judgeCache = settings.judgeCache ?? join(settings.out, 'judge-cache.jsonl');
  if (settings.grader === 'llm') {
    judge = await createLlmJudge({ url: settings.judgeUrl, model: settings.judgeModel!, cachePath: judgeCache, ...(apiKey === undefined ? {} : { apiKey }) });
    grader = { kind: 'llm', judge, concurrency: settings.judgeConcurrency };
  }
  const versions = packageVersions(['@mmvp/datasets', '@mmvp/metrics']);
  process.stderr.write(
    `mmvp grade: ${items.length} answers of ${questionSet.questions.length} questions (${settings.questionsFile}, labels ${settings.labels}); ` +
      `grader ${settings.grader === 'rule' ? `rule (@mmvp/metrics ${versions['@mmvp/metrics']})` : `llm judge ${judge!.model} at ${judge!.endpoint}, cache ${judgeCache}`}\n`,
  );
  const progress = settings.grader === 'llm' ? createProgress('judged', items.length) : undefined;
  const graded = await gradeAnswers(items, grader, progress === undefined ? {} : { onProgress: (done) => progress.update(done) });
  progress?.finish();

  const scores = summarizeMmvp(graded, patternOf === undefined ? {} : { patternOf, order: MMVP_PATTERNS });
  const cachedReplies = graded.filter((g) => g.judgeCached === true).length;
  const document: ScoresDocument = {
    benchmark: 'MMVP',
    ...scores,
    grader:
      settings.grader === 'rule'
        ? { kind: 'rule', description: 'option letter or option text extracted by @mmvp/metrics extractChoice; undetermined counts as wrong' }
        : {
            kind: 'llm',
            model: judge!.model,
            endpoint: judge!.endpoint,
            temperature: judge!.temperature,
            prompt: 'scripts/gpt_grader.py of tsb0601/MMVP, verbatim; only an exact yes counts',
            repliesFromCache: cachedReplies,
            repliesRequested: graded.length - cachedReplies,
          },
    labels: settings.labels,
    labelCorrections: questionSet.labelCorrections,
    skippedQuestions: questionSet.skippedQuestionIds,
    inputs: {
      questions: { path: resolve(settings.questionsFile), sha256: await sha256File(settings.questionsFile), rows: questionSet.rowCount },
      answers: { path: resolve(settings.answersFile), sha256: await sha256File(settings.answersFile), lines: answers.length },
      ...(settings.patternsFile === undefined ? {} : { patterns: { path: resolve(settings.patternsFile), sha256: await sha256File(settings.patternsFile) } }),
    },
    provenance: {
      tool: `mmvp ${cliVersion}`,
      packages: versions,
      node: process.version,
      createdAt: new Date().toISOString(),
      ...settings.extraProvenance,
    },
  };
  await mkdir(settings.out, { recursive: true });
  await writeAtomically(join(settings.out, 'graded.csv'), gradedCsv(graded, patternOf));
  await writeAtomically(join(settings.out, 'scores.md'), scoresMarkdown(scores, { title: 'MMVP scores', grader: describeGrader(document), labels: settings.labels }));
  await writeAtomically(join(settings.out, 'scores.json'), `${JSON.stringify(document, null, 2)}\n`);
  return document;
}

/** Pairs answers with questions; unknown ids and unanswered questions are errors naming file and line. */
function joinAnswers(questionSet: MmvpQuestionSet, answers: readonly AnswerRecord[], settings: GradeSettings): { question: MmvpQuestion; answer: AnswerRecord }[] {
  const byId = new Map(questionSet.questions.map((question) => [question.id, question]));
  const skipped = new Set(questionSet.skippedQuestionIds);
  const problems: string[] = [];
  const answered = new Map<number, AnswerRecord>();
  const mismatched: string[] = [];
  for (const answer of answers) {
    if (skipped.has(answer.questionId)) continue; // its pair is broken in Questions.csv (already reported)
    const question = byId.get(answer.questionId);
    if (question === undefined) {
      problems.push(`${settings.answersFile}:${answer.line}: question_id ${answer.questionId} is not a question of ${settings.questionsFile} (ids run 1..${questionSet.rowCount})`);
      continue;
    }
    if (answer.answer !== undefined) {
      const written = /^\s*\(?\s*([ab])\s*\)?\s*$/i.exec(answer.answer)?.[1]?.toLowerCase();
      if (written !== question.originalAnswer && written !== question.answer) {
        mismatched.push(`${settings.answersFile}:${answer.line}: answer '${answer.answer}' differs from Questions.csv row ${question.id} ('(${question.originalAnswer})')`);
      }
    }
    answered.set(answer.questionId, answer);
  }
  if (problems.length > 0) throw new DatasetError(`${problems.length} answer(s) do not match a question; nothing was graded:\n  ${problems.slice(0, 20).join('\n  ')}`);
  if (mismatched.length > 0) {
    process.stderr.write(`mmvp: warning: ${mismatched.length} answer line(s) carry a label that differs from Questions.csv; grading uses Questions.csv (labels ${settings.labels}):\n  ${mismatched.slice(0, 5).join('\n  ')}\n`);
  }
  const items: { question: MmvpQuestion; answer: AnswerRecord }[] = [];
  const missing: number[] = [];
  for (const pair of questionSet.pairs) {
    const pairAnswers = pair.questions.map((question) => answered.get(question.id));
    pair.questions.forEach((question, i) => pairAnswers[i] === undefined && missing.push(question.id));
    if (pairAnswers[0] === undefined || pairAnswers[1] === undefined) continue;
    items.push({ question: pair.questions[0], answer: pairAnswers[0] }, { question: pair.questions[1], answer: pairAnswers[1] });
  }
  if (missing.length > 0) {
    const list = `${missing.slice(0, 20).join(', ')}${missing.length > 20 ? `, ... (${missing.length} in all)` : ''}`;
    if (!settings.allowMissing) {
      throw new DatasetError(`${settings.answersFile} has no answer for ${missing.length} question(s) of ${settings.questionsFile}: ${list}; nothing was graded (--allow-missing scores only the complete pairs)`);
    }
    process.stderr.write(`mmvp: warning: no answer for question(s) ${list}; their pairs are left out (--allow-missing)\n`);
  }
  if (items.length === 0) throw new DatasetError(`no complete pair to grade in ${settings.answersFile}`);
  return items;
}

function resolveJudgeKey(settings: GradeSettings): string | undefined {
  if (settings.grader !== 'llm') return undefined;
  if (settings.judgeModel === undefined) throw new InvalidArgumentError(`--judge llm needs --judge-model (the original study used ${ORIGINAL_JUDGE.model})`);
  if (settings.judgeKeyEnv === 'none') return undefined;
  const key = process.env[settings.judgeKeyEnv];
  if (key === undefined || key.length === 0) {
    throw new InvalidArgumentError(`the environment variable ${settings.judgeKeyEnv} (named by --judge-key-env) is not set; put the judge's API key there, or pass --judge-key-env none for an endpoint without a key`);
  }
  return key;
}

function describeGrader(document: ScoresDocument): string {
  const grader = document.grader;
  return grader['kind'] === 'rule' ? 'rule-based extraction (undetermined = wrong)' : `LLM judge ${String(grader['model'])} (original gpt_grader prompt, exact "yes" only)`;
}

function formatSummary(document: ScoresDocument, out: string): string {
  const lines = [
    `MMVP pair accuracy ${document.pairAccuracy.toFixed(1)} (${document.correctPairs}/${document.pairs} pairs), per-question ${document.questionAccuracy.toFixed(1)} ` +
      `(${document.correctQuestions}/${document.questions}), undetermined ${document.undetermined}; grader ${describeGrader(document)}; labels ${document.labels}`,
  ];
  for (const row of document.perPattern ?? []) {
    lines.push(`  ${row.pattern.padEnd(36)} ${row.pairAccuracy.toFixed(1).padStart(5)}  (${row.correctPairs}/${row.pairs} pairs)`);
  }
  lines.push(`wrote ${join(out, 'scores.json')}, ${join(out, 'graded.csv')}, ${join(out, 'scores.md')}`);
  return lines.join('\n') + '\n';
}
