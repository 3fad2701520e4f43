import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { FileFormatError, formatZodIssues, parseWithSchema } from '@mmvp/core';
import { IssueCollector, type DatasetIssue, type LoadOptions } from './dataset-issues';
import { readJsonLines } from './jsonl';

/** One POPE question: "Is there a <object> in the image?" with its yes/no label. */
export interface PopeQuestion {
  readonly questionId: string;
  readonly image: string;
  readonly imagePath: string;
  readonly text: string;
  readonly label: 'yes' | 'no';
  /** `random`, `popular` or `adversarial` when the file says so. */
  readonly category?: string;
  readonly line: number;
}

/** A POPE question left out before any model call, and why (missing or unreadable image). */
export interface SkippedPopeQuestion {
  readonly questionId: string;
  readonly image: string;
  readonly reason: string;
}

/** The POPE benchmark folder: its splits and their yes/no questions. */
export interface PopeDataset {
  readonly questionsFile: string;
  readonly imagesDir: string;
  readonly questions: readonly PopeQuestion[];
  /** Questions left out because their image is missing or (with `checkImage`) cannot be read. */
  readonly skippedQuestions: readonly SkippedPopeQuestion[];
  readonly issues: readonly DatasetIssue[];
}

/** Options of loadPope: strict mode, the issue listener, and an image check (decode) run once per image. */
export type LoadPopeOptions = LoadOptions & {
  /** Why an image cannot be used (e.g. it does not decode), or undefined; run once per distinct image before any question is returned. */
  readonly checkImage?: (path: string) => Promise<string | undefined>;
};

const lineSchema = z
  .object({
    question_id: z.union([z.string().min(1), z.number().int()]),
    image: z.string().min(1),
    text: z.string().min(1),
    label: z
      .string()
      .transform((label) => label.trim().toLowerCase())
      .pipe(z.enum(['yes', 'no'])),
    category: z.string().optional(),
  })
  .passthrough();

const optionsSchema = z.object({ strict: z.boolean().default(false), onIssue: z.function().optional(), checkImage: z.function().optional() }).strict();

/**
 * Loads POPE questions: a JSONL file of `{question_id, image, text, label}` (the `coco_pope_*.json`
 * lines; `category` kept when present) plus the folder holding the images (COCO val2014). A line
 * that does not parse, lacks a field, has a label other than yes/no, repeats an id or points to a
 * missing image is reported with file and line and skipped (strict mode: the load fails); with
 * `checkImage`, so is an image that does not decode (listed in `skippedQuestions` with the reason).
 * When not one image is found, one line says so (the images folder is probably wrong) instead of one per question.
 */
export async function loadPope(questionsFile: string, imagesDir: string, options: LoadPopeOptions = {}): Promise<PopeDataset> {
  parseWithSchema(optionsSchema, options, 'POPE loader options');
  const collector = new IssueCollector(options);
  try {
    if (!(await stat(imagesDir)).isDirectory()) throw new Error('not a directory');
  } catch (cause) {
    throw new FileFormatError(`POPE image folder ${imagesDir} cannot be read (${(cause as Error).message})`, { cause });
  }
  const { lines, broken } = await readJsonLines(questionsFile);
  for (const line of broken) collector.add(questionsFile, line.line, `not valid JSON (${line.message}): ${line.text}`);
  const questions: PopeQuestion[] = [];
  const seen = new Map<string, number>();
  for (const { value, line } of lines) {
    const parsed = lineSchema.safeParse(value);
    if (!parsed.success) {
      collector.add(questionsFile, line, `${formatZodIssues(parsed.error)} (POPE lines have question_id, image, text and label 'yes' or 'no')`);
      continue;
    }
    const questionId = String(parsed.data.question_id);
    const earlier = seen.get(questionId);
    if (earlier !== undefined) {
      collector.add(questionsFile, line, `question_id ${questionId} repeats line ${earlier}; skipped`);
      continue;
    }
    seen.set(questionId, line);
    const imagePath = join(imagesDir, parsed.data.image);
    questions.push({
      questionId,
      image: parsed.data.image,
      imagePath,
      text: parsed.data.text,
      label: parsed.data.label,
      ...(parsed.data.category === undefined ? {} : { category: parsed.data.category }),
      line,
    });
  }
  // Check images once per distinct file: present, then (checkImage) readable.
  const problems = new Map<string, string | undefined>();
  for (const question of questions) {
    if (problems.has(question.imagePath)) continue;
    const exists = await stat(question.imagePath).then(
      (info) => info.isFile(),
      () => false,
    );
    problems.set(question.imagePath, exists ? await options.checkImage?.(question.imagePath) : `image ${question.imagePath} is missing`);
  }
  const kept: PopeQuestion[] = [];
  const skippedQuestions: SkippedPopeQuestion[] = [];
  const noneFound = questions.length > 1 && [...problems.values()].every((problem) => problem?.endsWith(' is missing'));
  if (noneFound)
    collector.add(
      questionsFile,
      questions[0]!.line,
      `none of its ${problems.size} images is in ${imagesDir} (e.g. ${questions[0]!.image}); is the images folder right (--images)? ${questions.length} question(s) skipped`,
    );
  for (const question of questions) {
    const problem = problems.get(question.imagePath);
    if (problem === undefined) {
      kept.push(question);
      continue;
    }
    skippedQuestions.push({ questionId: question.questionId, image: question.image, reason: problem });
    if (!noneFound) collector.add(questionsFile, question.line, `${problem}; question ${question.questionId} skipped`);
  }
  const issues = collector.finish(`POPE questions ${basename(questionsFile)}`);
  return { questionsFile, imagesDir, questions: kept, skippedQuestions, issues };
}
