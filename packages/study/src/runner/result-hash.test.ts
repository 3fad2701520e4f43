import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkJobResult, hashResultLines } from './result-hash';

const line = (id: number, identity = 'run1') => JSON.stringify({ question_id: id, response: 'A', run_identity: identity });
const check = (result: unknown) => checkJobResult({ id: 'r:eval-mllm:0', result, expectedKeys: ['1', '2'], runIdentity: 'run1', keyOf: (record) => String(record['question_id']) });

describe('checkJobResult', () => {
  it('accepts lines whose hash matches (SHA-256 of the lines joined by newlines, computed here independently)', () => {
    const lines = [line(2), line(1)];
    const sha256 = createHash('sha256').update(`${lines[0]}\n${lines[1]}`).digest('hex');
    expect(hashResultLines(lines)).toBe(sha256);
    expect([...check({ lines, sha256, worker: 'w:1' }).entries()]).toEqual([
      ['2', lines[0]],
      ['1', lines[1]],
    ]);
  });

  it('refuses, naming the job, a changed line, a missing or doubled or foreign answer, and another run identity', () => {
    const signed = (lines: string[]) => ({ lines, sha256: hashResultLines(lines), worker: 'w:1' });
    expect(() => check({ ...signed([line(1), line(2)]), lines: [line(1), line(3)] })).toThrow(/job r:eval-mllm:0: result lines hash to .*, the worker signed/);
    expect(() => check(signed([line(1)]))).toThrow(/job r:eval-mllm:0: 1 of its questions have no answer \(2\)/);
    expect(() => check(signed([line(1), line(1)]))).toThrow(/answers 1 twice/);
    expect(() => check(signed([line(1), line(2), line(3)]))).toThrow(/answers 3, which is not one of its questions/);
    expect(() => check(signed([line(1), line(2, 'other')]))).toThrow(/answer 2 has run_identity "other", this run's is run1/);
    expect(() => check({ answers: [] })).toThrow(/is not \{ lines, sha256 \}/);
  });
});
