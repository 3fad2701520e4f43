import { createHash } from 'node:crypto';
import { appendFile, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { writeFileAtomic } from '@mmvp/results';

/** The sweep's answers as they come, in its results folder: what `--resume` continues from. */
const SWEEP_JOURNAL = 'sweep-journal.jsonl';

/** One answer: which ratio (as written), which question set, which question. */
export interface JournalAnswer {
  readonly ratio: string;
  readonly set: 'data' | 'proxy';
  readonly id: number;
  readonly prompt: string;
  readonly response: string;
}

/** The sweep's answers so far: a journal file in the results folder, or (without one) memory. */
export interface SweepJournal {
  /** The journal file (undefined for a sweep without a results folder). */
  readonly path: string | undefined;
  /** How many answers were already there when the run started. */
  readonly resumed: number;
  answered(ratio: string, set: 'data' | 'proxy', id: number): { prompt: string; response: string } | undefined;
  /** Appends a decoded batch's answers in one write (a kill can cut at most the batch being written). */
  record(answers: readonly JournalAnswer[]): Promise<void>;
}

/** A short, stable fingerprint of anything JSON can write. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

const key = (ratio: string, set: string, id: number) => `${ratio}\u0000${set}\u0000${id}`;

/**
 * Opens `out/sweep-journal.jsonl`. Its first line is the run's identity (protocol, ratios, each
 * ratio's config, the encoders, the question sets, the batch size); every later line one answer.
 * Without `resume` an existing journal is an error (nothing is overwritten); with it, the identity
 * must match key for key, a last line cut short by a kill is removed (its batch is decoded again),
 * and a complete last line without its newline gets one before anything is appended.
 */
export async function openSweepJournal(out: string, identity: Readonly<Record<string, string>>, resume: boolean): Promise<SweepJournal> {
  const path = join(out, SWEEP_JOURNAL);
  const size = await stat(path).then(
    (info) => info.size,
    () => -1,
  );
  const answers = new Map<string, { prompt: string; response: string }>();
  if (size > 0 && !resume) throw new InvalidArgumentError(`${path} holds the answers of a sweep; pass --resume to continue it, or choose another --out (nothing is overwritten)`);
  if (size > 0) {
    let bytes = await readFile(path);
    const lastNewline = bytes.lastIndexOf(0x0a);
    if (lastNewline < bytes.length - 1) {
      const tail = bytes.subarray(lastNewline + 1).toString('utf8');
      let complete = true;
      try {
        JSON.parse(tail);
      } catch {
        complete = false;
      }
      if (complete) await appendFile(path, '\n');
      else await truncate(path, lastNewline + 1);
      bytes = await readFile(path);
    }
    const lines = bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
    const header = JSON.parse(lines[0] ?? '{}') as { identity?: Record<string, string> };
    if (header.identity === undefined) throw new InvalidArgumentError(`${path}: the first line is not a sweep identity; is --out the folder of another run?`);
    const differing = [...new Set([...Object.keys(identity), ...Object.keys(header.identity)])].filter((name) => identity[name] !== header.identity![name]);
    if (differing.length > 0) {
      throw new InvalidArgumentError(`--resume: ${differing.join(', ')} differ(s) from the sweep in ${out} (${path}); answers of different settings must not be mixed; use another --out`);
    }
    for (const [index, line] of lines.slice(1).entries()) {
      let entry: JournalAnswer;
      try {
        entry = JSON.parse(line) as JournalAnswer;
      } catch (error) {
        throw new InvalidArgumentError(`${path}:${index + 2}: not valid JSON (${(error as Error).message}); the journal was changed by hand?`);
      }
      answers.set(key(entry.ratio, entry.set, entry.id), { prompt: entry.prompt, response: entry.response });
    }
  } else {
    await writeFile(path, `${JSON.stringify({ identity })}\n`);
  }
  const resumed = answers.size;
  return {
    path,
    resumed,
    answered: (ratio, set, id) => answers.get(key(ratio, set, id)),
    async record(batch) {
      if (batch.length === 0) return;
      await appendFile(path, batch.map((answer) => `${JSON.stringify(answer)}\n`).join(''));
      for (const answer of batch) answers.set(key(answer.ratio, answer.set, answer.id), { prompt: answer.prompt, response: answer.response });
    },
  };
}

/** A journal kept in memory only: a sweep without a results folder (nothing to resume). */
export function memorySweepJournal(): SweepJournal {
  const answers = new Map<string, { prompt: string; response: string }>();
  return {
    path: undefined,
    resumed: 0,
    answered: (ratio, set, id) => answers.get(key(ratio, set, id)),
    async record(batch) {
      for (const answer of batch) answers.set(key(answer.ratio, answer.set, answer.id), { prompt: answer.prompt, response: answer.response });
    },
  };
}

/**
 * Rewrites the journal file as an uninterrupted one-process sweep writes it: the identity line, then
 * the answers in `order` (keys `<ratio>|<set>|<id>`), whatever order the shards were committed in.
 */
export async function sortSweepJournal(journal: SweepJournal, order: readonly string[]): Promise<void> {
  if (journal.path === undefined) return;
  const text = await readFile(journal.path, 'utf8');
  const [header, ...lines] = text.split('\n').filter((line) => line.length > 0);
  const rank = new Map(order.map((entry, index) => [entry, index]));
  const rankOf = (line: string) => {
    const record = JSON.parse(line) as { ratio: string; set: string; id: number };
    return rank.get(`${record.ratio}|${record.set}|${record.id}`) ?? order.length;
  };
  const sorted = lines.map((line) => ({ line, rank: rankOf(line) })).sort((a, b) => a.rank - b.rank);
  const content = `${header}\n${sorted.map((entry) => `${entry.line}\n`).join('')}`;
  if (content !== text) await writeFileAtomic(journal.path, content);
}
