import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DatasetError, InvalidArgumentError, MMVP_PATTERNS } from '@mmvp/core';
import { LABEL_SETS, formatIssue, readAnswers, readMmvpQuestions, readPeerAnswers, readPatternMap, type AnswerLine, type LabelSet, type MmvpQuestion, type MmvpQuestionSet } from '@mmvp/datasets';
import { ORIGINAL_JUDGE, accuracyWithIntervals, createLlmJudge, gradeAnswers, gradedCsv, summarizeMmvp, type GradedQuestion, type Grader, type LlmJudge, type MmvpScores } from '@mmvp/metrics';
import { packageVersions } from '../provenance/package-versions';
import { mmvpScoresCsv, mmvpScoresMarkdown } from './scores-tables';
import type { ScoresDocument } from './scores-document';
import type { GradeEvent } from './mmvp-events';
import { workflowEmitter } from '../runner/workflow-events';
import { sha256File, writeFileAtomic, writeRunInfo } from '@mmvp/results';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';

/** The graders `gradeMllmAnswers` offers: the rule grader, or an LLM judge with the paper's prompt. */
export const GRADERS = ['rule', 'llm'] as const;
/** One of {@link GRADERS}. */
export type GraderKind = (typeof GRADERS)[number];

/** Options of {@link gradeMllmAnswers}, checked with zod (the CLI declares its flags from it). */
const gradeOptionsSchema = z
  .object({
    questionsFile: z.string().min(1),
    answersFile: z.string().min(1),
    grader: z.enum(GRADERS).default('rule'),
    labels: z.enum(LABEL_SETS as [LabelSet, ...LabelSet[]]).default('original'),
    patternsFile: z.string().min(1).optional(),
    out: z.string().min(1),
    judgeUrl: z.string().url().default('https://api.openai.com/v1'),
    judgeModel: z.string().min(1).optional(),
    judgeKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
    judgeCache: z.string().min(1).optional(),
    judgeConcurrency: z.number().int().positive().default(4),
    allowMissing: z.boolean().default(false),
    strict: z.boolean().default(false),
    extraProvenance: z.record(z.unknown()).optional(),
    /** Pairs the answering run left out (eval-mllm: missing or unreadable image), recorded in scores.json. */
    skippedPairs: z.array(z.object({ pairId: z.number().int(), reason: z.string() }).strict()).optional(),
    questionSet: z.custom<MmvpQuestionSet>().optional(),
    /** Name of the tool in provenance (`mmvp 0.1.0`). */
    tool: z.string().optional(),
    abortSignal: z.custom<AbortSignal>((value) => value === undefined || value instanceof AbortSignal).optional(),
    /** Receives the run's events (typed in {@link GradeMllmOptions}). */
    onEvent: z.function().optional(),
  })
  .strict();

/** How `gradeMllmAnswers` grades (the options of `mmvp grade`, and of eval-mllm after answering). */
export type GradeMllmOptions = Omit<z.input<typeof gradeOptionsSchema>, 'onEvent' | 'questionSet' | 'abortSignal'> & {
  /** Questions already read (eval-mllm), else read from questionsFile. */
  readonly questionSet?: MmvpQuestionSet;
  /** Stops grading before the first judge call; nothing is written. */
  readonly abortSignal?: AbortSignal;
  /** Receives the run's events: what it resolved, replies judged (LLM judge), warnings. */
  readonly onEvent?: (event: GradeEvent) => void;
};
type GradeSettings = z.output<typeof gradeOptionsSchema> & { abortSignal?: AbortSignal; onEvent?: (event: GradeEvent) => void };

/**
 * Checks every grading input that can be checked without grading (judge model and key, the pattern
 * map, the questions file) and returns what was read. eval-mllm calls it before its first model call.
 */
export async function checkGradeInputs(options: GradeMllmOptions): Promise<{ settings: GradeSettings; apiKey?: string; patternOf?: Map<number, string> }> {
  const settings = parseWorkflowOptions('gradeMllmAnswers', gradeOptionsSchema, options) as GradeSettings;
  const apiKey = resolveJudgeKey(settings);
  const patternOf = settings.patternsFile === undefined ? undefined : await readPatternMap(settings.patternsFile);
  return { settings, ...(apiKey === undefined ? {} : { apiKey }), ...(patternOf === undefined ? {} : { patternOf }) };
}

/**
 * Reads questions and answers, grades, writes scores.json / scores.csv / graded.csv / scores.md and a
 * results-folder run.json (so `mmvp report` renders the folder) into `out`, and returns the scores
 * document. Every input problem is reported before any grading starts; outputs are written only
 * when grading finished (each file replaced atomically), and judge replies are cached as they arrive.
 */
export async function gradeMllmAnswers(options: GradeMllmOptions): Promise<ScoresDocument> {
  const { settings, apiKey, patternOf } = await checkGradeInputs(options);
  const emit = workflowEmitter<GradeEvent>('grade', settings.onEvent);
  const warn = (message: string) => emit({ type: 'warning', message });
  const questionSet = settings.questionSet ?? (await readMmvpQuestions(settings.questionsFile, { labels: settings.labels, strict: settings.strict, onIssue: (issue) => warn(formatIssue(issue)) }));
  // the original script's answers.jsonl, or another harness's per-sample file (lmms-eval, VLMEvalKit)
  const peer = await readPeerAnswers(settings.answersFile);
  const answers = peer?.answers ?? (await readAnswers(settings.answersFile)).answers;
  const answersFormat = peer?.format ?? 'mmvp-answers-jsonl';
  for (const message of peer?.warnings ?? []) warn(message);
  warnIfOutOfOrder(answers, settings.answersFile, warn);
  const items = joinAnswers(questionSet, answers, settings, warn, peer?.pairedBy ?? 'question_id');
  settings.abortSignal?.throwIfAborted();

  let judge: LlmJudge | undefined;
  let grader: Grader = { kind: 'rule' };
  const judgeCache = settings.judgeCache ?? join(settings.out, 'judge-cache.jsonl');
  if (settings.grader === 'llm') {
    await mkdir(settings.out, { recursive: true });
    judge = await createLlmJudge({ url: settings.judgeUrl, model: settings.judgeModel!, cachePath: judgeCache, ...(apiKey === undefined ? {} : { apiKey }) });
    grader = { kind: 'llm', judge, concurrency: settings.judgeConcurrency };
  }
  const versions = packageVersions(['@mmvp/datasets', '@mmvp/metrics', '@mmvp/study']);
  emit({
    type: 'resolved',
    lines: [
      `${items.length} answers (${answersFormat}) of ${questionSet.questions.length} questions (${settings.questionsFile}, labels ${settings.labels}); ` +
        `grader ${settings.grader === 'rule' ? `rule (@mmvp/metrics ${versions['@mmvp/metrics']})` : `llm judge ${judge!.model} at ${judge!.endpoint}, cache ${judgeCache}`}`,
    ],
  });
  const graded = await gradeAnswers(items, grader, {
    ...(settings.grader === 'llm' ? { onProgress: (done: number) => emit({ type: 'progress', stage: 'judged', done, total: items.length, startedAt: 0 }) } : {}),
  });

  const scores = summarizeMmvp(graded, patternOf === undefined ? {} : { patternOf, order: MMVP_PATTERNS });
  const overall = accuracyWithIntervals(graded);
  const patternOfPair = patternOf === undefined ? undefined : pairPattern(graded, patternOf);
  const perPattern = scores.perPattern?.map((row) => {
    const rows = graded.filter((g) => patternOfPair!.get(g.pairId) === row.pattern);
    const interval = accuracyWithIntervals(rows);
    return { ...row, pairAccuracyCi95: interval.pairAccuracyCi95, questionAccuracyCi95: interval.questionAccuracyCi95 };
  });
  const cachedReplies = graded.filter((g) => g.judgeCached === true).length;
  const document: ScoresDocument = {
    benchmark: 'MMVP',
    ...withoutPerPattern(scores),
    pairAccuracyCi95: overall.pairAccuracyCi95,
    questionAccuracyCi95: overall.questionAccuracyCi95,
    ...(perPattern === undefined ? {} : { perPattern }),
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
    ...(settings.skippedPairs === undefined ? {} : { skippedPairs: settings.skippedPairs }),
    inputs: {
      questions: { path: resolve(settings.questionsFile), sha256: await sha256File(settings.questionsFile), rows: questionSet.rowCount },
      answers: { path: resolve(settings.answersFile), sha256: await sha256File(settings.answersFile), lines: answers.length, format: answersFormat, pairedBy: peer?.pairedBy ?? 'question_id' },
      ...(settings.patternsFile === undefined ? {} : { patterns: { path: resolve(settings.patternsFile), sha256: await sha256File(settings.patternsFile) } }),
    },
    provenance: {
      ...(settings.tool === undefined ? {} : { tool: settings.tool }),
      packages: versions,
      node: process.version,
      createdAt: new Date().toISOString(),
      ...settings.extraProvenance,
    },
  };
  await mkdir(settings.out, { recursive: true });
  const context = { title: 'MMVP scores', grader: describeGrader(document), labels: labelsApplied(document) };
  await writeFileAtomic(join(settings.out, 'graded.csv'), gradedCsv(graded, patternOf));
  await writeFileAtomic(join(settings.out, 'scores.csv'), mmvpScoresCsv(document));
  await writeFileAtomic(join(settings.out, 'scores.md'), mmvpScoresMarkdown(document, context));
  await writeFileAtomic(join(settings.out, 'scores.json'), `${JSON.stringify(document, null, 2)}\n`);
  if (settings.extraProvenance === undefined) {
    // A grade folder is a results folder too: run.json in the report's format (eval-mllm writes its own).
    await writeRunInfo(settings.out, {
      format: 'mmvp-results/v1',
      title: 'MMVP grading',
      createdAt: String(document.provenance['createdAt']),
      command: 'grade',
      dataset: { name: 'MMVP', path: resolve(settings.questionsFile) },
      grading: { method: settings.grader, labels: settings.labels },
      notes: summaryLines(document),
    });
  }
  return document;
}

function withoutPerPattern(scores: MmvpScores): Omit<MmvpScores, 'perPattern'> {
  const { perPattern: _rows, ...rest } = scores;
  return rest;
}

/** Pair id -> pattern of its first question (patternTable's rule). */
function pairPattern(graded: readonly GradedQuestion[], patternOf: ReadonlyMap<number, string>): Map<number, string> {
  const map = new Map<number, string>();
  for (const g of [...graded].sort((a, b) => a.questionId - b.questionId)) if (!map.has(g.pairId)) map.set(g.pairId, patternOf.get(g.questionId) ?? '(no pattern)');
  return map;
}

/** "original", or "corrected (rows 99/100, 279/280 swapped)", or "corrected requested, nothing applied (...)". */
export function labelsApplied(document: Pick<ScoresDocument, 'labels' | 'labelCorrections'>): string {
  if (document.labels === 'original') return 'original';
  const applied = document.labelCorrections.filter((correction) => correction.applied);
  if (applied.length === 0) return 'original (--labels corrected requested, but none of the known corrections applies to this file: rows 99/100 and 279/280 are not the known rows)';
  const notApplied = document.labelCorrections.filter((correction) => !correction.applied);
  return `corrected (swapped rows ${applied.map((c) => c.rows.join('/')).join(', ')}${notApplied.length > 0 ? `; not applied: rows ${notApplied.map((c) => c.rows.join('/')).join(', ')}` : ''})`;
}

/** One human-readable line naming the grader that produced a scores document. */
function describeGrader(document: Pick<ScoresDocument, 'grader'>): string {
  const grader = document.grader;
  return grader['kind'] === 'rule' ? 'rule-based extraction (undetermined = wrong)' : `LLM judge ${String(grader['model'])} (original gpt_grader prompt, exact "yes" only)`;
}

function formatInterval(value: number, ci: readonly [number, number]): string {
  return `${value.toFixed(1)} [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}]`;
}

/** The printed summary: headline with 95% intervals, per-pattern rows (no trailing newline). */
export function summaryLines(document: ScoresDocument): string[] {
  const lines = [
    `MMVP pair accuracy ${formatInterval(document.pairAccuracy, document.pairAccuracyCi95)} (${document.correctPairs}/${document.pairs} pairs), ` +
      `per-question ${formatInterval(document.questionAccuracy, document.questionAccuracyCi95)} (${document.correctQuestions}/${document.questions}), ` +
      `undetermined ${document.undetermined}; 95% Wilson intervals over pairs; grader ${describeGrader(document)}; labels ${labelsApplied(document)}`,
  ];
  for (const row of document.perPattern ?? []) {
    lines.push(`  ${row.pattern.padEnd(36)} ${formatInterval(row.pairAccuracy, row.pairAccuracyCi95).padStart(18)}  (${row.correctPairs}/${row.pairs} pairs)`);
  }
  return lines;
}

/**
 * The original `gpt_grader.py` pairs the i-th answer line with the i-th question; mmvp pairs by
 * question id. The two agree only when the file lists the questions in order: say so when it does not.
 */
function warnIfOutOfOrder(answers: readonly AnswerLine[], file: string, warn: (message: string) => void): void {
  const first = answers.findIndex((answer, i) => i > 0 && answer.questionId < answers[i - 1]!.questionId);
  if (first < 0) return;
  warn(
    `${file}:${answers[first]!.line}: answers are not in question order (question ${answers[first]!.questionId} after ${answers[first - 1]!.questionId}); ` +
      'mmvp pairs each answer with its question by question_id, while the original gpt_grader.py pairs them by line order, so that script would grade this file differently',
  );
}

/** Whitespace collapsed, case folded: how a question is looked for in the text a peer says it asked. */
function looseText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Pairs answers with questions; unknown ids and unanswered questions are errors naming file and line.
 * A peer's record that names the text it asked (lmms-eval `input`, Cambrian `prompt`, VLMEvalKit
 * `question`) must contain the question of the row its id pairs it with: else nothing is graded.
 */
function joinAnswers(
  questionSet: MmvpQuestionSet,
  answers: readonly (AnswerLine & { readonly askedText?: string })[],
  settings: GradeSettings,
  warn: (message: string) => void,
  pairedBy: string,
): { question: MmvpQuestion; answer: AnswerLine }[] {
  const byId = new Map(questionSet.questions.map((question) => [question.id, question]));
  const skipped = new Set(questionSet.skippedQuestionIds);
  const problems: string[] = [];
  const answered = new Map<number, AnswerLine>();
  const mismatched: string[] = [];
  const disagreements: string[] = [];
  for (const answer of answers) {
    if (skipped.has(answer.questionId)) continue; // its pair is broken in Questions.csv or has no usable image (already reported)
    const question = byId.get(answer.questionId);
    if (question === undefined) {
      problems.push(`${settings.answersFile}:${answer.line}: question_id ${answer.questionId} is not a question of ${settings.questionsFile} (ids run 1..${questionSet.rowCount})`);
      continue;
    }
    if (answer.askedText !== undefined && !looseText(answer.askedText).includes(looseText(question.question))) {
      disagreements.push(
        `${settings.answersFile}:${answer.line}: paired with question ${answer.questionId} by ${pairedBy}, but it asked ${JSON.stringify(answer.askedText.slice(0, 160))}, which does not contain row ${question.id}'s question ${JSON.stringify(question.question)}`,
      );
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
  if (disagreements.length > 0) {
    throw new DatasetError(
      `${disagreements.length} answer(s) of ${settings.answersFile} were asked another question than the row of ${settings.questionsFile} they pair with (is it the same question set, in the same order?); nothing was graded:\n  ${disagreements.slice(0, 20).join('\n  ')}`,
    );
  }
  if (mismatched.length > 0) {
    warn(`${mismatched.length} answer line(s) carry a label that differs from Questions.csv; grading uses Questions.csv (labels ${settings.labels}):\n  ${mismatched.slice(0, 5).join('\n  ')}`);
  }
  const items: { question: MmvpQuestion; answer: AnswerLine }[] = [];
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
    warn(`no answer for question(s) ${list}; their pairs are left out (--allow-missing)`);
  }
  if (items.length === 0) throw new DatasetError(`no complete pair to grade in ${settings.answersFile}: nothing to score (an accuracy over 0 pairs has no value and no interval)`);
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

/** True when `path` can be opened (used to find DATA/patterns.csv). */
export async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export { gradeOptionsSchema as gradeMllmOptionsSchema };
