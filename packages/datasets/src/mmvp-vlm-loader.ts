import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { DatasetError, FileFormatError, listChoices, parseWithSchema } from '@mmvp/core';
import { parseCsv } from '@mmvp/results';
import { readTextFile } from './text-file';
import { IssueCollector, type DatasetIssue, type LoadOptions } from './dataset-issues';
import { findFolder, listImages, listSubfoldersDetailed, type UnusableLink } from './image-folder';
import { MMVP_PATTERNS, matchPattern } from './patterns';

/** One MMVP-VLM statement with the image it describes. */
export interface MmvpVlmStatement {
  /** The id column; the image is `<id>.jpg` in the pair's type folder. */
  readonly id: number;
  readonly type: string;
  readonly statement: string;
  readonly imagePath: string;
  readonly line: number;
}

/**
 * Two consecutive CSV rows. Statement 1 describes image 1 and statement 2 image 2; a CLIP model
 * scores the pair only if each statement picks its own image.
 */
export interface MmvpVlmPair {
  /** 0-based position of the pair in the file (broken pairs keep their position). */
  readonly position: number;
  /** One of the nine patterns, or the type name itself for a pattern we do not know. */
  readonly pattern: string;
  /** The type column of the pair's first row (= its image folder, as in the official script). */
  readonly type: string;
  readonly statements: readonly [MmvpVlmStatement, MmvpVlmStatement];
}

/** The MMVP-VLM benchmark folder: statements and image paths, grouped in pairs per pattern. */
export interface MmvpVlmDataset {
  readonly dir: string;
  readonly questionsFile: string;
  readonly imagesDir: string;
  readonly pairs: readonly MmvpVlmPair[];
  /** Patterns in the benchmark's order (unknown ones after, in order of appearance). */
  readonly patterns: readonly string[];
  /** Pairs in the file per pattern, broken ones included (the denominator of a faithful score). */
  readonly pairsPerPattern: Readonly<Record<string, number>>;
  /** Pairs of the file that were left out (bad rows, missing folder or image), 1-based pair number first. */
  readonly skippedPairs: readonly SkippedVlmPair[];
  readonly issues: readonly DatasetIssue[];
}

/** A pair the loader left out: its 1-based number in the file, its pattern and the problem. */
export interface SkippedVlmPair {
  readonly pairId: number;
  readonly pattern: string;
  readonly reason: string;
}

/** `; 'X' is a symlink loop (ELOOP)` for error messages, or '' when no link was unusable. */
function describeUnusable(links: readonly UnusableLink[]): string {
  return links.map((link) => `; '${link.name}' is ${link.reason}`).join('');
}

const optionsSchema = z.object({ strict: z.boolean().default(false), onIssue: z.function().optional() }).strict();

/** Names the image folder goes by: the README's, the official script's, and their variants. */
const IMAGE_FOLDER_NAMES = ['MMVP_VLM_Images', 'MLLM_VLM Images', 'MMVP_VLM Images', 'MMVP VLM Images', 'Images'];

/** Pairs in the released benchmark: 9 patterns x 15 pairs, pattern = floor(position / 15). */
const RELEASED_PAIRS = 135;
const RELEASED_PAIRS_PER_PATTERN = 15;

/**
 * Loads an MMVP-VLM folder: a 3-column `Questions.csv` read by position (id, type, statement; the
 * header row is skipped as the official script does) and `MMVP_VLM_Images/<Type>/<id>.jpg` (`.jpeg`
 * and `.png` accepted; folder names matched ignoring case and spaces vs underscores). Consecutive
 * rows form a pair. The pattern of a pair comes from its type name (`Orientation`, `Camera_Perspective`,
 * `Color and Appearance`, ...); a name we cannot map gets the released benchmark's positional rule
 * (pair p -> pattern floor(p/15)) when the file has the released 135 pairs, else keeps its own name,
 * so synthetic sets with other pair counts per pattern work.
 */
export async function loadMmvpVlm(dir: string, options: LoadOptions = {}): Promise<MmvpVlmDataset> {
  parseWithSchema(optionsSchema, options, 'MMVP-VLM loader options');
  const collector = new IssueCollector(options);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (cause) {
    throw new FileFormatError(`MMVP-VLM folder ${dir} cannot be read (${(cause as Error).message}); expected a folder with Questions.csv and 'MMVP_VLM_Images/'`, { cause });
  }
  const questionsFile = join(dir, 'Questions.csv');
  const { text } = await readTextFile(questionsFile, 'the MMVP-VLM questions file');
  const records = parseCsv(text, questionsFile);
  // The official script always skips the first row; we skip it only if it is not data.
  const rows = records.length > 0 && !/^\s*\d+\s*$/.test(records[0]!.fields[0] ?? '') ? records.slice(1) : records;
  if (rows.length === 0) throw new DatasetError(`${questionsFile} has no rows; expected id,type,statement rows, two per pair`);

  const { folders, unusableLinks } = await listSubfoldersDetailed(dir);
  const imagesFolder = findFolder(folders, IMAGE_FOLDER_NAMES);
  if (imagesFolder === undefined) {
    throw new DatasetError(`${dir} has no image folder; expected 'MMVP_VLM_Images/' (found ${folders.length === 0 ? 'no folders' : listChoices(folders)}${describeUnusable(unusableLinks)})`);
  }
  const imagesDir = join(dir, imagesFolder);
  const { folders: typeFolders, unusableLinks: unusableTypeLinks } = await listSubfoldersDetailed(imagesDir);
  const imagesByFolder = new Map<string, Map<string, string>>();
  const imagesOfType = async (type: string): Promise<{ folder?: string; images?: Map<string, string> }> => {
    let folder = findFolder(typeFolders, [type]);
    if (folder === undefined) {
      // `Orientation and Direction` in the CSV vs an `Orientation/` folder: match by pattern.
      const pattern = matchPattern(type);
      const candidates = pattern === undefined ? [] : typeFolders.filter((name) => matchPattern(name) === pattern);
      if (candidates.length === 1) folder = candidates[0];
    }
    if (folder === undefined) return {};
    let images = imagesByFolder.get(folder);
    if (images === undefined) {
      images = await listImages(join(imagesDir, folder));
      imagesByFolder.set(folder, images);
    }
    return { folder, images };
  };

  const totalPairs = Math.floor(rows.length / 2);
  if (rows.length % 2 !== 0) {
    collector.add(questionsFile, rows[rows.length - 1]!.line, `the file has an odd number of rows (${rows.length}); the last row has no pair partner and is skipped`);
  }
  const pairs: MmvpVlmPair[] = [];
  const skippedPairs: SkippedVlmPair[] = [];
  const pairsPerPattern = new Map<string, number>();
  let issuesBefore = 0;
  for (let position = 0; position < totalPairs; position++) {
    issuesBefore = collector.issues.length;
    const records2 = [rows[2 * position]!, rows[2 * position + 1]!];
    const parsed = records2.map((record) => {
      if (record.fields.length !== 3) {
        collector.add(questionsFile, record.line, `has ${record.fields.length} field(s); MMVP-VLM rows have 3 (id, type, statement; quote fields that contain commas)`);
        return undefined;
      }
      const [idText, type, statement] = record.fields.map((field) => field.trim()) as [string, string, string];
      if (!/^\d+$/.test(idText)) {
        collector.add(questionsFile, record.line, `id '${idText}' is not a positive integer`);
        return undefined;
      }
      if (type.length === 0 || statement.length === 0) {
        collector.add(questionsFile, record.line, `${type.length === 0 ? 'type' : 'statement'} is empty`);
        return undefined;
      }
      return { id: Number(idText), type, statement, line: record.line };
    });
    const type = parsed[0]?.type ?? records2[0]!.fields[1]?.trim() ?? '';
    const pattern = matchPattern(type) ?? (totalPairs === RELEASED_PAIRS ? MMVP_PATTERNS[Math.floor(position / RELEASED_PAIRS_PER_PATTERN)]! : type);
    pairsPerPattern.set(pattern, (pairsPerPattern.get(pattern) ?? 0) + 1);
    const skip = () => {
      const reason = collector.issues
        .slice(issuesBefore)
        .map((issue) => issue.message)
        .join('; ');
      skippedPairs.push({ pairId: position + 1, pattern, reason });
    };
    if (parsed[0] === undefined || parsed[1] === undefined) {
      skip();
      continue;
    }
    const { folder, images } = await imagesOfType(type);
    if (folder === undefined || images === undefined) {
      collector.add(questionsFile, parsed[0].line, `type '${type}' has no image folder in ${imagesDir} (folders: ${listChoices(typeFolders)}${describeUnusable(unusableTypeLinks)}); pair ${position + 1} is skipped`);
      skip();
      continue;
    }
    const statements = parsed.map((row) => {
      const imagePath = images.get(String(row!.id));
      if (imagePath === undefined) {
        collector.add(questionsFile, row!.line, `image ${join(imagesFolder, folder, `${row!.id}.jpg`)} (or .jpeg/.png) is missing; pair ${position + 1} is skipped`);
        return undefined;
      }
      return { ...row!, imagePath };
    });
    if (statements[0] === undefined || statements[1] === undefined) {
      skip();
      continue;
    }
    pairs.push({ position, pattern, type, statements: [statements[0], statements[1]] });
  }

  const known = MMVP_PATTERNS.filter((pattern) => pairsPerPattern.has(pattern));
  const unknown = [...pairsPerPattern.keys()].filter((pattern) => !(MMVP_PATTERNS as readonly string[]).includes(pattern));
  const issues = collector.finish(`MMVP-VLM folder ${basename(dir)}`);
  return {
    dir,
    questionsFile,
    imagesDir,
    pairs,
    patterns: [...known, ...unknown],
    pairsPerPattern: Object.fromEntries(pairsPerPattern),
    skippedPairs,
    issues,
  };
}
