import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@mmvp/core';

/** What a worker returns through Redis (and the in-process runner checks alike): the result lines (JSON, no newline) and their hash. */
export interface JobResult {
  readonly lines: readonly string[];
  /** SHA-256 (hex) of the lines joined with '\n'. */
  readonly sha256: string;
  /** Which worker made them (host:pid), for the coordinator's log. */
  readonly worker: string;
}

/** SHA-256 (hex) of a job's answer lines joined with '\n' (what a worker signs and the coordinator re-checks). */
export function hashResultLines(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * Checks a job's result before anything of it is committed: the shape, the hash over its lines, each
 * line a JSON object of this run (`run_identity`) answering exactly the job's keys, once each.
 * Returns the records by key; throws one line naming the job and what is wrong.
 */
export function checkJobResult(options: {
  readonly id: string;
  readonly result: unknown;
  readonly expectedKeys: readonly string[];
  readonly runIdentity: string;
  readonly keyOf: (record: Record<string, unknown>) => string;
}): Map<string, string> {
  const { id, result } = options;
  const candidate = result as Partial<JobResult> | null | undefined;
  if (candidate === null || typeof candidate !== 'object' || !Array.isArray(candidate.lines) || typeof candidate.sha256 !== 'string') {
    throw new InvalidArgumentError(`job ${id}: its result is not { lines, sha256 } (a worker of another mmvp version?); nothing of it was committed`);
  }
  if (!candidate.lines.every((line) => typeof line === 'string')) throw new InvalidArgumentError(`job ${id}: a result line is not a string; nothing of it was committed`);
  const actual = hashResultLines(candidate.lines);
  if (actual !== candidate.sha256) throw new InvalidArgumentError(`job ${id}: result lines hash to ${actual}, the worker signed ${candidate.sha256}; nothing of it was committed`);
  const expected = new Set(options.expectedKeys);
  const byKey = new Map<string, string>();
  for (const line of candidate.lines) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new InvalidArgumentError(`job ${id}: a result line is not JSON; nothing of it was committed`);
    }
    const key = options.keyOf(record);
    if (!expected.has(key)) throw new InvalidArgumentError(`job ${id}: answers ${key}, which is not one of its questions; nothing of it was committed`);
    if (byKey.has(key)) throw new InvalidArgumentError(`job ${id}: answers ${key} twice; nothing of it was committed`);
    if (record['run_identity'] !== options.runIdentity) {
      throw new InvalidArgumentError(`job ${id}: answer ${key} has run_identity ${JSON.stringify(record['run_identity'])}, this run's is ${options.runIdentity}; nothing of it was committed`);
    }
    byKey.set(key, line);
  }
  const missing = options.expectedKeys.filter((key) => !byKey.has(key));
  if (missing.length > 0) throw new InvalidArgumentError(`job ${id}: ${missing.length} of its questions have no answer (${missing.slice(0, 5).join(', ')}); nothing of it was committed`);
  return byKey;
}
