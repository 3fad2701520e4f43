import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, MmvpError } from '@mmvp/core';
import { loadMmvp, readPatternMap } from '@mmvp/datasets';

/** One binary question about one image, graded by pair (rows 2i-1, 2i form pair i). */
export interface SweepQuestion {
  readonly id: number;
  readonly pairId: number;
  readonly imagePath: string;
  readonly question: string;
  /** MMVP's option string `(a) X (b) Y`. */
  readonly optionsText: string;
  readonly options: readonly [string, string];
  readonly answer: 'a' | 'b';
  /** Visual pattern for the per-pattern table ('all' when unknown). */
  readonly pattern?: string;
}

/** A question set in memory (e.g. the demo's generated set), instead of a folder. */
export interface SweepQuestionSet {
  readonly questions: readonly SweepQuestion[];
  /** Where it came from, for run.json and messages. */
  readonly path?: string;
}

export interface LoadedQuestions {
  readonly path: string;
  readonly questions: readonly SweepQuestion[];
}

/** An MMVP-format folder as --data takes it: the folder itself when it holds Questions.csv, else its MMVP/ subfolder. */
function mmvpFolderOf(dir: string): string {
  return existsSync(join(dir, 'Questions.csv')) ? dir : join(dir, 'MMVP');
}

/**
 * Loads a question set (a folder in MMVP format, with patterns.csv when present, or a set in memory)
 * and keeps the first `limit` pairs. `label` prefixes errors (`--proxy-data DIR`). An empty result
 * is an error here, before any model is loaded: there is no accuracy, and no interval, to give.
 */
export async function loadSweepQuestions(source: string | SweepQuestionSet, options: { limit?: number; label: string }): Promise<LoadedQuestions> {
  let path: string;
  let questions: readonly SweepQuestion[];
  if (typeof source === 'string') {
    path = mmvpFolderOf(source);
    try {
      const dataset = await loadMmvp(path);
      const patternsFile = join(path, 'patterns.csv');
      const patterns = existsSync(patternsFile) ? await readPatternMap(patternsFile) : new Map<number, string>();
      questions = dataset.questions.map((question) => ({
        id: question.id,
        pairId: question.pairId,
        imagePath: question.imagePath,
        question: question.question,
        optionsText: question.optionsText,
        options: question.options,
        answer: question.answer,
        pattern: patterns.get(question.id) ?? 'all',
      }));
    } catch (error) {
      if (MmvpError.isInstance(error) && options.label !== '') throw new MmvpError({ name: error.name, message: `${options.label}: ${error.message}`, cause: error });
      throw error;
    }
  } else {
    path = source.path ?? '(questions in memory)';
    questions = source.questions;
  }
  const kept = options.limit === undefined ? questions : questions.filter((question) => question.pairId <= options.limit!);
  if (kept.length === 0) {
    const prefix = options.label === '' ? '' : `${options.label}: `;
    throw new DatasetError(
      `${prefix}${path} has no usable question pairs${options.limit === undefined ? ' (every pair was skipped; see the warnings above)' : ` in its first ${options.limit}`}; a sweep needs at least one pair to score (and to give an interval for)`,
    );
  }
  return { path, questions: kept };
}
