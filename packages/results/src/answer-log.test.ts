import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerLog, repairAnswerLogTail } from './answer-log';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-answer-log-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('repairAnswerLogTail: the file ends in a newline before anything is appended', () => {
  const a = '{"question_id":1,"response":"A"}';
  const b = '{"question_id":2,"response":"B"}';
  it.each([
    ['a complete last line without its newline gets one', `${a}\n${b}`, 'newline-added', `${a}\n${b}\n`],
    ['a cut last line is dropped', `${a}\n{"question_id":2,"resp`, 'truncated-line-dropped', `${a}\n`],
    ['a cut first line is dropped', '{"question_id":1,"re', 'truncated-line-dropped', ''],
    ['a newline-terminated file is left alone', `${a}\n`, 'none', `${a}\n`],
  ] as const)('%s', async (_name, content, action, after) => {
    const file = join(scratch, `${action}-${content.length}.jsonl`);
    await writeFile(file, content);
    expect(await repairAnswerLogTail(file)).toBe(action);
    expect(await readFile(file, 'utf8')).toBe(after);
    await answerLog(file).append({ question_id: 3, response: 'C' });
    expect(
      (await readFile(file, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line).question_id),
    ).toEqual([
      ...after
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line).question_id),
      3,
    ]);
  });
});

describe('answerLog.appendLines: a committed shard, lines already written as JSON', () => {
  it('appends them newline-terminated after the lines there, and nothing for none', async () => {
    const file = join(scratch, 'append-lines.jsonl');
    await writeFile(file, '{"question_id":1}\n');
    const log = answerLog(file);
    await log.appendLines(['{"question_id":2}', '{"question_id":3}']);
    await log.appendLines([]);
    expect(await readFile(file, 'utf8')).toBe('{"question_id":1}\n{"question_id":2}\n{"question_id":3}\n');
  });
});
