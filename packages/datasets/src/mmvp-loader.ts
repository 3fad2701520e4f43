import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DatasetError, FileFormatError, listChoices } from '@mmvp/core';
import { IssueCollector, type DatasetIssue } from './dataset-issues';
import { findFolder, listImages, listSubfolders } from './image-folder';
import { readMmvpQuestions, type MmvpLoadOptions, type MmvpQuestion, type MmvpQuestionSet } from './mmvp-questions';

/** An MMVP question with its image. */
export interface MmvpItem extends MmvpQuestion {
  readonly imagePath: string;
}

/** One MMVP pair: rows 2i-1 and 2i, which score only when both are answered right. */
export interface MmvpItemPair {
  readonly id: number;
  readonly questions: readonly [MmvpItem, MmvpItem];
}

/** The MMVP benchmark folder: questions, pairs and image paths (pairs with a missing image skipped). */
export interface MmvpDataset extends Omit<MmvpQuestionSet, 'questions' | 'pairs'> {
  readonly dir: string;
  /** Pairs left out because an image is missing or (with `checkImage`) cannot be read, with the reason. */
  readonly skippedPairs: readonly SkippedPair[];
  readonly imagesDir: string;
  readonly questions: readonly MmvpItem[];
  readonly pairs: readonly MmvpItemPair[];
}

/** A pair left out of the run, and why (one line naming the file). */
export interface SkippedPair {
  readonly pairId: number;
  readonly reason: string;
}

export interface LoadMmvpOptions extends MmvpLoadOptions {
  /**
   * Checks that an image can be used (e.g. decodes it) and returns why not, or undefined when it can.
   * An unreadable image is treated exactly as a missing one: reported with file and row, its pair
   * skipped (strict mode: the load fails). @mmvp/datasets has no image decoder of its own.
   */
  readonly checkImage?: (path: string) => Promise<string | undefined>;
}

/** Names the image folder goes by: the release's `MMVP Images` and the official script's typo. */
const IMAGE_FOLDER_NAMES = ['MMVP Images', 'MMVP Imgaes', 'Images'];

/**
 * Loads an MMVP folder as users download it: `Questions.csv` + `MMVP Images/<k>.jpg` (`.jpeg` and
 * `.png` accepted too; synthetic sets use PNG). Question k uses image k (row position, as the
 * official script). Problems are reported with file and row; strict mode fails on any.
 */
export async function loadMmvp(dir: string, options: LoadMmvpOptions = {}): Promise<MmvpDataset> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (cause) {
    throw new FileFormatError(`MMVP folder ${dir} cannot be read (${(cause as Error).message}); expected a folder with Questions.csv and 'MMVP Images/'`, { cause });
  }
  const folders = await listSubfolders(dir);
  const questionsFile = join(dir, 'Questions.csv');
  // Questions first without strict failing, so that image problems are collected in the same report.
  const collector = new IssueCollector(options);
  const questionSet = await readMmvpQuestions(questionsFile, { labels: options.labels, strict: false, onIssue: (issue) => collector.issues.push(issue) });
  const imagesFolder = findFolder(folders, IMAGE_FOLDER_NAMES);
  if (imagesFolder === undefined) {
    throw new DatasetError(`${dir} has no image folder; expected 'MMVP Images/' (found ${folders.length === 0 ? 'no folders' : listChoices(folders)})`);
  }
  const imagesDir = join(dir, imagesFolder);
  const images = await listImages(imagesDir);

  const pairs: { id: number; questions: readonly [MmvpItem, MmvpItem] }[] = [];
  const skipped = new Set(questionSet.skippedQuestionIds);
  const skippedPairs: SkippedPair[] = [];
  for (const pair of questionSet.pairs) {
    const reasons: string[] = [];
    const items: (MmvpItem | undefined)[] = [];
    for (const question of pair.questions) {
      const imagePath = images.get(String(question.id));
      // A missing image and an unreadable one take the same path: one issue, the pair skipped.
      const problem = imagePath === undefined ? `image ${join(imagesFolder, `${question.id}.jpg`)} (or .jpeg/.png) is missing` : await options.checkImage?.(imagePath);
      if (problem !== undefined) {
        reasons.push(`row ${question.id}: ${problem}`);
        collector.add(questionsFile, question.line, `row ${question.id}: ${problem}; pair ${pair.id} is skipped`);
        items.push(undefined);
      } else items.push({ ...question, imagePath: imagePath! });
    }
    if (items[0] === undefined || items[1] === undefined) {
      for (const question of pair.questions) skipped.add(question.id);
      skippedPairs.push({ pairId: pair.id, reason: reasons.join('; ') });
      continue;
    }
    pairs.push({ id: pair.id, questions: [items[0], items[1]] });
  }
  const issues: readonly DatasetIssue[] = collector.finish(`MMVP folder ${basename(dir)}`);
  return {
    ...questionSet,
    dir,
    imagesDir,
    questions: pairs.flatMap((pair) => pair.questions),
    pairs,
    skippedPairs,
    skippedQuestionIds: [...skipped].sort((a, b) => a - b),
    issues,
  };
}
