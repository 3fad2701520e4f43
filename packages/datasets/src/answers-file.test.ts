import { describe, expect, it } from 'vitest';
import { DatasetError } from '@mmvp/core';
import { readAnswers } from './answers-file';
import { temporaryFolder, writeTree } from './__fixtures__/test-folders';

const line = (id: number | string, response = 'A') => JSON.stringify({ question_id: id, prompt: 'Q? (a) x (b) y', answer: '(a)', response, answer_id: 'u', model_id: 'm' });

describe('readAnswers', () => {
  it("reads the original script's fields and keeps the rest", async () => {
    const dir = await temporaryFolder('answers');
    await writeTree(dir, { 'a.jsonl': `${line(1)}\n\n${line('2', 'B')}\n` });
    const { answers } = await readAnswers(`${dir}/a.jsonl`);
    expect(answers.map((a) => [a.questionId, a.response, a.line])).toEqual([
      [1, 'A', 1],
      [2, 'B', 3],
    ]);
    expect(answers[0]!.fields['model_id']).toBe('m');
  });

  it('a broken line, a missing response and a duplicate id fail with file and line', async () => {
    const dir = await temporaryFolder('answers-bad');
    await writeTree(dir, { 'a.jsonl': [line(1), '{"question_id": 2, "response": "A"', JSON.stringify({ question_id: 3 }), line(1), line('x')].join('\n') + '\n' });
    const failure = readAnswers(`${dir}/a.jsonl`);
    await expect(failure).rejects.toThrowError(DatasetError);
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toMatch(/a\.jsonl: 4 bad line\(s\); nothing was graded/);
    expect(message).toMatch(/a\.jsonl:2: not valid JSON/);
    expect(message).toMatch(/a\.jsonl:3: response: is required/);
    expect(message).toMatch(/a\.jsonl:4: question_id 1 was already answered on line 1/);
    expect(message).toMatch(/a\.jsonl:5: question_id: /);
  });

  it('drops a truncated last line only when asked (a killed writer), never a broken middle line', async () => {
    const dir = await temporaryFolder('answers-cut');
    await writeTree(dir, { 'a.jsonl': `${line(1)}\n${line(2)}\n{"question_id": 3, "resp` });
    await expect(readAnswers(`${dir}/a.jsonl`)).rejects.toThrowError(/a\.jsonl:3: not valid JSON/);
    const { answers, droppedTruncatedLine } = await readAnswers(`${dir}/a.jsonl`, { dropTruncatedLastLine: true });
    expect(answers).toHaveLength(2);
    expect(droppedTruncatedLine).toBe(3);
    await writeTree(dir, { 'b.jsonl': `${line(1)}\n{"question_id": 2\n${line(3)}\n` });
    await expect(readAnswers(`${dir}/b.jsonl`, { dropTruncatedLastLine: true })).rejects.toThrowError(/b\.jsonl:2/);
  });
});
