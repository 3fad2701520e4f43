import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeMllmAnswers } from './grade-mllm';

// 150 MMVP pairs answered all wrong, then all right: the exact binomial bounds are 1 - 0.025^(1/150) = 2.43%
// (Clopper-Pearson) and z^2 / (150 + z^2) = 2.50% (Wilson); the bootstrap printed [0, 0] and [100, 100]
// (moved from apps/cli/test/grade-intervals.test.ts, the same check on gradeMllmAnswers).
describe('gradeMllmAnswers: intervals at the boundary (150 pairs)', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-grade-intervals-'));
    const questions = ['Index,Question,Options,Correct Answer'];
    for (let id = 1; id <= 300; id++) questions.push(`${id},"Is thing ${Math.ceil(id / 2)} open or closed?","(a) Open (b) Closed",(${id % 2 === 1 ? 'a' : 'b'})`);
    await writeFile(join(scratch, 'Questions.csv'), `${questions.join('\n')}\n`);
    const answers = (right: boolean) => Array.from({ length: 300 }, (_, i) => JSON.stringify({ question_id: i + 1, response: (i % 2 === 0) === right ? '(a)' : '(b)' })).join('\n');
    await writeFile(join(scratch, 'wrong.jsonl'), `${answers(false)}\n`);
    await writeFile(join(scratch, 'right.jsonl'), `${answers(true)}\n`);
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('all wrong: pairAccuracyCi95 upper end 2.4-2.5; all right: lower end 97.5-97.6', async () => {
    const grade = (name: string) => gradeMllmAnswers({ questionsFile: join(scratch, 'Questions.csv'), answersFile: join(scratch, `${name}.jsonl`), out: join(scratch, name) });
    const wrong = await grade('wrong');
    expect([wrong.pairs, wrong.correctPairs]).toEqual([150, 0]);
    expect(wrong.pairAccuracyCi95![0]).toBe(0);
    expect(wrong.pairAccuracyCi95![1]).toBeGreaterThanOrEqual(2.4);
    expect(wrong.pairAccuracyCi95![1]).toBeLessThanOrEqual(2.5);
    const right = await grade('right');
    expect(right.correctPairs).toBe(150);
    expect(right.pairAccuracyCi95![0]).toBeGreaterThanOrEqual(97.5);
    expect(right.pairAccuracyCi95![0]).toBeLessThanOrEqual(97.6);
    expect(right.pairAccuracyCi95![1]).toBe(100);
  });
});
