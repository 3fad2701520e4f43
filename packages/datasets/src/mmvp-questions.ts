import { basename } from 'node:path';
import { z } from 'zod';
import { DatasetError, listChoices, parseWithSchema } from '@mmvp/core';
import { parseCsv } from '@mmvp/results';
import { readTextFile } from './text-file';
import { IssueCollector, type DatasetIssue, type LoadOptions } from './dataset-issues';
import { parseAnswerLetter, parseOptionsText } from './mmvp-options-text';

/** An MMVP option letter. */
export type Choice = 'a' | 'b';
/** MMVP's gold answers as published ('original') or with rows 99/100 and 279/280 swapped back ('corrected'). */
export type LabelSet = 'original' | 'corrected';
/** Both label sets, for validation and error messages. */
export const LABEL_SETS: readonly LabelSet[] = ['original', 'corrected'];

/** One MMVP question (one row of Questions.csv). */
export interface MmvpQuestion {
  /** 1-based row position: the `question_id` of answers.jsonl and the image number `<id>.jpg`. */
  readonly id: number;
  /** Pair number i of rows (2i-1, 2i). */
  readonly pairId: number;
  /** The `Index` column as written (the official script ignores it and uses the row position). */
  readonly indexColumn: string;
  /** The Question field as written (spaces around it kept, as the peers' scripts prompt with it). */
  readonly question: string;
  /** The options as one string, `(a) X (b) Y`, as written (spaces kept). */
  readonly optionsText: string;
  /** The two option texts. */
  readonly options: readonly [string, string];
  /** The correct choice in the chosen label set. */
  readonly answer: Choice;
  /** The correct choice as written in the file. */
  readonly originalAnswer: Choice;
  /** Line of Questions.csv where the row starts. */
  readonly line: number;
}

/** Questions (2i-1, 2i): the paper scores a pair only if both are answered right. */
export interface MmvpQuestionPair {
  readonly id: number;
  readonly questions: readonly [MmvpQuestion, MmvpQuestion];
}

/** A label correction of the published file (rows whose answers are swapped upstream). */
export interface LabelCorrection {
  readonly rows: readonly [number, number];
  readonly reason: string;
  /** False when the rows were not there or did not look like the known rows (then nothing changed). */
  readonly applied: boolean;
  readonly note?: string;
}

/** MMVP questions as read from Questions.csv, without images. */
export interface MmvpQuestionSet {
  readonly questionsFile: string;
  readonly labels: LabelSet;
  readonly labelCorrections: readonly LabelCorrection[];
  /** Questions of the complete, valid pairs, in file order. */
  readonly questions: readonly MmvpQuestion[];
  readonly pairs: readonly MmvpQuestionPair[];
  /** Row positions (question ids) that were skipped because they or their pair partner are broken. */
  readonly skippedQuestionIds: readonly number[];
  /** Data rows in the file (header excluded). */
  readonly rowCount: number;
  readonly issues: readonly DatasetIssue[];
}

export interface MmvpLoadOptions extends LoadOptions {
  /** `corrected` swaps the answers of rows 99/100 and 279/280 (known upstream errors). Default `original`. */
  readonly labels?: LabelSet;
}

const optionsSchema = z
  .object({
    labels: z.enum(['original', 'corrected']).default('original'),
    strict: z.boolean().default(false),
    onIssue: z.function().optional(),
  })
  .strict();

// Known errors in the published MMVP Questions.csv (tsb0601/MMVP issues #14 and #30; lmms-eval swaps
// the same rows). The check words guard against swapping rows of some other CSV, e.g. a synthetic set.
const KNOWN_CORRECTIONS = [
  { rows: [99, 100] as const, reason: 'elephant tusks long/short: answers swapped upstream (tsb0601/MMVP#30)', check: /tusk/i },
  { rows: [279, 280] as const, reason: 'elderly person standing/sitting: answers swapped upstream (tsb0601/MMVP#14)', check: /stand|sit/i },
];

const REQUIRED_COLUMNS = ['Index', 'Question', 'Options', 'Correct Answer'] as const;

/**
 * Reads MMVP's `Questions.csv` (`Index,Question,Options,Correct Answer`; the first header may be
 * spelled `lndex`, as in a published copy). Rows are paired by position (2i-1, 2i), as the official
 * scripts do. A row with a problem (wrong field count, options not `(a) X (b) Y`, an answer other
 * than `(a)`/`(b)`, a pair whose two rows ask different questions, an unpaired last row) is reported
 * with file and line; strict mode fails, default mode skips that pair only.
 */
export async function readMmvpQuestions(questionsFile: string, options: MmvpLoadOptions = {}): Promise<MmvpQuestionSet> {
  const parsedOptions = parseWithSchema(optionsSchema, options, 'MMVP loader options');
  const labels = parsedOptions.labels;
  const collector = new IssueCollector(options);
  const file = questionsFile;
  const { text } = await readTextFile(file, 'the MMVP questions file');
  const records = parseCsv(text, file);
  if (records.length === 0) throw new DatasetError(`${file} is empty; expected the header ${REQUIRED_COLUMNS.join(',')} and 2 rows per pair`);

  // Header: find each column by name (case and surrounding spaces ignored; `lndex` accepted).
  const header = records[0]!.fields.map((name) => name.trim().toLowerCase());
  const columnOf = (name: string): number => {
    const wanted = name.toLowerCase();
    const found = header.findIndex((cell) => cell === wanted || (wanted === 'index' && cell === 'lndex'));
    return found;
  };
  const columns = REQUIRED_COLUMNS.map(columnOf);
  const missing = REQUIRED_COLUMNS.filter((_, i) => columns[i]! < 0);
  if (missing.length > 0) {
    throw new DatasetError(
      `${file}:${records[0]!.line}: the header lacks the column(s) ${quoteAll(missing)}; found ${quoteAll(records[0]!.fields)}; ` +
        `an MMVP Questions.csv has the columns ${quoteAll(REQUIRED_COLUMNS)} (the first may be spelled 'lndex')`,
    );
  }
  const [indexColumn, questionColumn, optionsColumn, answerColumn] = columns as [number, number, number, number];

  // Rows -> questions (undefined = broken row, reported).
  const rows = records.slice(1);
  if (rows.length === 0) throw new DatasetError(`${file} has a header but no question rows; an MMVP Questions.csv has 2 rows per pair (the release has 300)`);
  const parsedRows: (MmvpQuestion | undefined)[] = rows.map((record, position) => {
    const id = position + 1;
    const where = `row ${id}`;
    if (record.fields.length !== header.length) {
      collector.add(file, record.line, `${where} has ${record.fields.length} field(s), the header has ${header.length} (quote fields that contain commas)`);
      return undefined;
    }
    // Question and Options are kept as written (not trimmed): the peers' scripts put them into the
    // prompt as csv.reader / pandas.read_csv return them (evaluate_mllm.py:59, mmvp_eval.py:36-39).
    const optionsText = record.fields[optionsColumn]!;
    const parsedOptionsText = parseOptionsText(optionsText);
    if (parsedOptionsText === undefined) {
      collector.add(file, record.line, `${where}: Options '${optionsText}' is not of the form '(a) X (b) Y' with two non-empty options`);
      return undefined;
    }
    const answerText = record.fields[answerColumn]!.trim();
    const answer = parseAnswerLetter(answerText);
    if (answer === undefined) {
      collector.add(file, record.line, `${where}: Correct Answer '${answerText}' is not a valid choice; expected ${listChoices(['(a)', '(b)'])}`);
      return undefined;
    }
    const question = record.fields[questionColumn]!;
    if (question.trim().length === 0) {
      collector.add(file, record.line, `${where}: Question is empty`);
      return undefined;
    }
    const indexValue = record.fields[indexColumn]!.trim();
    if (indexValue !== String(id)) {
      collector.add(file, record.line, `${where}: Index column says '${indexValue}'; rows are numbered by position (as the official script does), so this row is question ${id}`);
    }
    return {
      id,
      pairId: Math.ceil(id / 2),
      indexColumn: indexValue,
      question,
      optionsText,
      options: parsedOptionsText,
      answer,
      originalAnswer: answer,
      line: record.line,
    };
  });
  // The index-column mismatch is informational only: it does not make the row broken.

  if (rows.length % 2 !== 0) {
    const last = rows[rows.length - 1]!;
    collector.add(file, last.line, `the file has an odd number of rows (${rows.length}); row ${rows.length} has no pair partner and is skipped`);
  }

  // Label corrections (swap the two answers of a pair) before pairs are built.
  const labelCorrections: LabelCorrection[] = [];
  if (labels === 'corrected') {
    for (const correction of KNOWN_CORRECTIONS) {
      const [first, second] = correction.rows.map((row) => parsedRows[row - 1]);
      if (first === undefined || second === undefined) {
        labelCorrections.push({ rows: correction.rows, reason: correction.reason, applied: false, note: 'rows not present or broken' });
        continue;
      }
      if (!correction.check.test(first.question)) {
        labelCorrections.push({ rows: correction.rows, reason: correction.reason, applied: false, note: `row ${first.id} asks '${first.question}', not the known question; left as is` });
        continue;
      }
      parsedRows[first.id - 1] = { ...first, answer: second.originalAnswer };
      parsedRows[second.id - 1] = { ...second, answer: first.originalAnswer };
      labelCorrections.push({ rows: correction.rows, reason: correction.reason, applied: true });
    }
  }

  const pairs: MmvpQuestionPair[] = [];
  const skippedQuestionIds: number[] = [];
  for (let start = 0; start < rows.length; start += 2) {
    const first = parsedRows[start];
    const second = parsedRows[start + 1];
    const pairId = start / 2 + 1;
    if (start + 1 >= rows.length) {
      skippedQuestionIds.push(start + 1);
      continue;
    }
    if (first === undefined || second === undefined) {
      skippedQuestionIds.push(start + 1, start + 2);
      continue;
    }
    if (normalize(first.question) !== normalize(second.question)) {
      collector.add(file, second.line, `rows ${first.id} and ${second.id} form pair ${pairId} but ask different questions ('${first.question}' vs '${second.question}'); the pair is skipped`);
      skippedQuestionIds.push(first.id, second.id);
      continue;
    }
    if (normalize(first.optionsText) !== normalize(second.optionsText)) {
      collector.add(file, second.line, `rows ${first.id} and ${second.id} form pair ${pairId} but have different options ('${first.optionsText}' vs '${second.optionsText}'); the pair is skipped`);
      skippedQuestionIds.push(first.id, second.id);
      continue;
    }
    pairs.push({ id: pairId, questions: [first, second] });
  }

  const issues = collector.finish(`MMVP questions ${basename(file)}`);
  return {
    questionsFile: file,
    labels,
    labelCorrections,
    questions: pairs.flatMap((pair) => pair.questions),
    pairs,
    skippedQuestionIds,
    rowCount: rows.length,
    issues,
  };
}

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** `'a', 'b', 'c'`: a list of things that are all there (listChoices is for alternatives). */
function quoteAll(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}
