import { describe, expect, it } from 'vitest';
import { gradeAnswers } from './grade-answers';
import type { LlmJudge } from './llm-judge';

const question = { id: 1, pairId: 1, question: 'Is the door open or closed?', optionsText: '(a) Open (b) Closed', options: ['Open', 'Closed'] as const, answer: 'a' as const };

describe('an empty response (an endpoint refusal, a filtered or empty reply)', () => {
  it('is undetermined under the rule grader', async () => {
    const [graded] = await gradeAnswers([{ question, answer: { questionId: 1, response: '' } }], { kind: 'rule' });
    expect([graded!.extracted, graded!.correct]).toEqual(['undetermined', false]);
  });

  it('is undetermined under the LLM judge, which is not asked', async () => {
    let asked = 0;
    const judge: LlmJudge = {
      model: 'm',
      endpoint: 'http://127.0.0.1:9/v1/chat/completions',
      temperature: 0.2,
      requestsSent: 0,
      judge: async () => {
        asked++;
        return { verdict: 'yes', correct: true, reply: 'yes', cached: false };
      },
    };
    const graded = await gradeAnswers(
      [
        { question, answer: { questionId: 1, response: '  ' } },
        { question: { ...question, id: 2, answer: 'b' }, answer: { questionId: 2, response: '(b)' } },
      ],
      { kind: 'llm', judge, concurrency: 1 },
    );
    expect(graded.map((g) => [g.judgeVerdict, g.correct])).toEqual([
      ['undetermined', false],
      ['yes', true],
    ]);
    expect(asked).toBe(1);
  });
});
