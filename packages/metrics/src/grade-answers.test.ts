import { describe, expect, it } from 'vitest';
import { gradeAnswers } from './grade-answers';
import { createLlmJudge } from './llm-judge';

const question = (id: number, answer: 'a' | 'b') => ({
  id,
  pairId: Math.ceil(id / 2),
  question: 'Is the door open or closed?',
  optionsText: '(a) Open (b) Closed',
  options: ['Open', 'Closed'] as const,
  answer,
});

describe('gradeAnswers', () => {
  it('rule grader: correct only when the extracted choice is the label', async () => {
    const graded = await gradeAnswers(
      [
        { question: question(1, 'a'), answer: { questionId: 1, response: '(a)' } },
        { question: question(2, 'b'), answer: { questionId: 2, response: 'The door is open.' } },
        { question: question(3, 'a'), answer: { questionId: 3, response: 'Open or closed, hard to say.' } },
      ],
      { kind: 'rule' },
    );
    expect(graded.map((g) => [g.extracted, g.rule, g.correct])).toEqual([
      ['a', 'letter-only', true],
      ['a', 'option-text', false],
      ['undetermined', 'hedged', false],
    ]);
  });

  it('llm grader: sends "(a)"/"(b)" as the correct answer and the question + options when the answer has no prompt', async () => {
    const bodies: any[] = [];
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify({ choices: [{ message: { content: bodies.length === 1 ? 'yes' : 'Yes.' } }] }), { status: 200 });
    }) as typeof fetch;
    const judge = await createLlmJudge({ url: 'http://127.0.0.1:9/v1', model: 'm', fetch: fakeFetch });
    const graded = await gradeAnswers(
      [
        { question: question(1, 'a'), answer: { questionId: 1, response: 'Open.' } },
        { question: question(2, 'b'), answer: { questionId: 2, prompt: 'custom prompt', response: 'Closed.' } },
      ],
      { kind: 'llm', judge, concurrency: 1 },
    );
    expect(graded.map((g) => [g.judgeVerdict, g.correct])).toEqual([
      ['yes', true],
      ['undetermined', false],
    ]);
    expect(bodies[0].messages[1].content).toBe(
      'Given the following question Is the door open or closed? (a) Open (b) Closed, the correct answer is (a). Does the following answer correctly answers the question, answer:Open.?',
    );
    expect(bodies[1].messages[1].content).toBe('Given the following question custom prompt, the correct answer is (b). Does the following answer correctly answers the question, answer:Closed.?');
  });
});
