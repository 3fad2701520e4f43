import { appendFile, readFile, stat, truncate } from 'node:fs/promises';
import { DatasetError, InvalidArgumentError } from '@mmvp/core';

/**
 * The resumable answer file every answering workflow shares (eval-mllm's answers.jsonl, pope's
 * pope-answers.jsonl): one JSON object per line, appended as each answer is produced, so a killed run
 * loses at most the line in flight and `--resume` continues without redoing finished work.
 */
export interface AnswerLog {
  readonly file: string;
  /** Appends one record as one line (one write: a kill cuts at most this line). */
  append(record: Readonly<Record<string, unknown>>): Promise<void>;
  /** Appends lines already written as JSON (a committed shard's answers, no newline in them) in one write; none: nothing. */
  appendLines(lines: readonly string[]): Promise<void>;
}

/** Whether the file holds answers (non-empty); without `resume` that is an error (nothing is overwritten). */
async function checkAnswerLogStart(file: string, resume: boolean): Promise<{ exists: boolean }> {
  const size = await stat(file).then(
    (info) => info.size,
    () => -1,
  );
  if (size > 0 && !resume) throw new InvalidArgumentError(`${file} already has answers; pass --resume to continue it, or choose another --out (nothing is overwritten)`);
  return { exists: size > 0 };
}

/**
 * Makes the file end in a newline before anything is appended: a last line that is complete JSON
 * but lacks its newline gets one (else the next answer would be glued onto it); a last line cut short
 * (not JSON: a killed writer) is dropped and its question asked again. Returns what was done.
 */
export async function repairAnswerLogTail(file: string): Promise<'none' | 'newline-added' | 'truncated-line-dropped'> {
  const bytes = await readFile(file).catch(() => undefined);
  if (bytes === undefined || bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return 'none';
  const lastNewline = bytes.lastIndexOf(0x0a);
  const tail = bytes
    .subarray(lastNewline + 1)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim();
  let complete = tail.length === 0;
  if (!complete) {
    try {
      JSON.parse(tail);
      complete = true;
    } catch {
      complete = false;
    }
  }
  if (complete) {
    await appendFile(file, '\n');
    return 'newline-added';
  }
  await truncate(file, lastNewline + 1);
  return 'truncated-line-dropped';
}

/** The appender (call repairAnswerLogTail first when resuming). */
export function answerLog(file: string): AnswerLog {
  return {
    file,
    async append(record) {
      await appendFile(file, `${JSON.stringify(record)}\n`);
    },
    async appendLines(lines) {
      if (lines.length > 0) await appendFile(file, `${lines.join('\n')}\n`);
    },
  };
}

/** One answer already in the file: its key (question id, or split:id for POPE), line and fields. */
export interface ExistingAnswer {
  readonly key: string;
  readonly line: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * The start of a resumable run, shared by eval-mllm and pope: refuses a file with answers unless
 * `resume`; reads the answers there (a cut last line tolerated), fails on keys that are not this
 * run's questions or on answers made under other settings (`checkExisting`), and only then makes
 * the file end in a newline. Returns the keys already answered. Nothing is written before every check passed.
 */
export async function prepareAnswerLog(options: {
  readonly file: string;
  readonly resume: boolean;
  readonly knownKeys: ReadonlySet<string>;
  readonly readExisting: (file: string) => Promise<readonly ExistingAnswer[]>;
  readonly describeUnknown: (answer: ExistingAnswer) => string;
  readonly checkExisting?: (answers: readonly ExistingAnswer[]) => void;
}): Promise<Set<string>> {
  const { exists } = await checkAnswerLogStart(options.file, options.resume);
  const existing = exists ? await options.readExisting(options.file) : [];
  const unknown = existing.find((answer) => !options.knownKeys.has(answer.key));
  if (unknown !== undefined) throw new DatasetError(options.describeUnknown(unknown));
  options.checkExisting?.(existing);
  if (exists) await repairAnswerLogTail(options.file);
  return new Set(existing.map((answer) => answer.key));
}
