import { z } from 'zod';
import { DatasetError, formatZodIssues } from '@mmvp/core';
import { readJsonLines } from './jsonl';

/**
 * One line of an answers file, in the fields of the original study's `evaluate_mllm.py`
 * (`question_id`, `prompt`, `answer`, `response`, plus `answer_id`, `model_id` and our own fields,
 * which are kept in `fields`).
 */
export interface AnswerLine {
  readonly questionId: number;
  readonly prompt?: string;
  readonly answer?: string;
  readonly response: string;
  readonly line: number;
  /** The whole JSON object as read. */
  readonly fields: Readonly<Record<string, unknown>>;
}

const answerSchema = z
  .object({
    question_id: z.union([
      z.number().int().positive(),
      z
        .string()
        .regex(/^\s*\d+\s*$/, 'must be a positive integer')
        .transform(Number),
    ]),
    prompt: z.string().optional(),
    answer: z.string().optional(),
    response: z.string({ required_error: 'is required (the model text)' }),
  })
  .passthrough();

/** Options of readAnswers. */
export interface ReadAnswersOptions {
  /**
   * Accept (and drop) a last line that is cut short, without its newline: what a run killed while
   * writing leaves behind. `--resume` uses this; grading does not.
   */
  readonly dropTruncatedLastLine?: boolean;
}

/**
 * Reads an answers.jsonl. A line that is not JSON, lacks `question_id`/`response`, or repeats a
 * question id fails the read with one DatasetError naming the file and every bad line.
 */
export async function readAnswers(path: string, options: ReadAnswersOptions = {}): Promise<{ answers: AnswerLine[]; droppedTruncatedLine?: number }> {
  const { lines, broken, truncatedLastLine } = await readJsonLines(path);
  const problems: string[] = [];
  let droppedTruncatedLine: number | undefined;
  for (const line of broken) {
    if (options.dropTruncatedLastLine && truncatedLastLine && line === broken[broken.length - 1]) {
      droppedTruncatedLine = line.line;
      continue;
    }
    problems.push(`${path}:${line.line}: not valid JSON (${line.message}): ${line.text}`);
  }
  const answers: AnswerLine[] = [];
  const seen = new Map<number, number>();
  for (const { value, line } of lines) {
    const parsed = answerSchema.safeParse(value);
    if (!parsed.success) {
      problems.push(`${path}:${line}: ${formatZodIssues(parsed.error)}`);
      continue;
    }
    const questionId = parsed.data.question_id;
    const earlier = seen.get(questionId);
    if (earlier !== undefined) {
      problems.push(`${path}:${line}: question_id ${questionId} was already answered on line ${earlier} (duplicate ids)`);
      continue;
    }
    seen.set(questionId, line);
    answers.push({
      questionId,
      ...(parsed.data.prompt === undefined ? {} : { prompt: parsed.data.prompt }),
      ...(parsed.data.answer === undefined ? {} : { answer: parsed.data.answer }),
      response: parsed.data.response,
      line,
      fields: value as Record<string, unknown>,
    });
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).join('\n  ');
    const more = problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : '';
    throw new DatasetError(`${path}: ${problems.length} bad line(s); nothing was graded:\n  ${shown}${more}`);
  }
  return droppedTruncatedLine === undefined ? { answers } : { answers, droppedTruncatedLine };
}
