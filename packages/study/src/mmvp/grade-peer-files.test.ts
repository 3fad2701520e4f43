import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeMllmAnswers } from './grade-mllm';

/**
 * Issue 29, item 4: `mmvp grade` on Cambrian's answers file and on VLMEvalKit's .json predictions,
 * the records as those tools write them (packages/datasets/src/__fixtures__, made by
 * tools/make_interop_fixtures.py peer-files from Cambrian mmvp_eval.py:150-157 and VLMEvalKit
 * vlmeval/smp/file.py:153-158), with the same pairing check as lmms-eval's samples.
 */
const fixtures = new URL('../../../datasets/src/__fixtures__/', import.meta.url);
const QUESTIONS = [
  'Index,Question,Options,Correct Answer',
  '1,Is the dog facing left or right?,(a) Left (b) Right,(a)',
  '2,Is the dog facing left or right?,(a) Left (b) Right,(b)',
  '3,Is the café sign lit?,(a) Yes (b) No,(b)',
  '4,Is the café sign lit?,(a) Yes (b) No,(a)',
];

let scratch: string;
let questions: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-grade-peer-files-'));
  questions = join(scratch, 'Questions.csv');
  await writeFile(questions, `${QUESTIONS.join('\n')}\n`);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('mmvp grade reads the last two peer files', () => {
  it("Cambrian's answers: question_id 0 is question 1; scores equal Cambrian's own mmvp_test.py", async () => {
    // Cambrian eval/eval/mmvp/mmvp_test.py:22-66 on this file, by hand: extract_mcq_answer gives
    // 'a', 'b', 'a', 'a' against gold a, b, b, a -> correct = 2 (one whole pair), accuracy = 100 * 2 / 4 = 50.0
    const scores = await gradeMllmAnswers({ questionsFile: questions, answersFile: new URL('cambrian-answers.jsonl', fixtures).pathname, out: join(scratch, 'cambrian') });
    expect(scores.inputs['answers']).toMatchObject({ format: 'cambrian-answers', pairedBy: 'question_id + 1 (Cambrian counts rows from 0)' });
    expect([scores.correctPairs, scores.pairs, scores.pairAccuracy]).toEqual([1, 2, 50]);
    expect(scores.correctQuestions).toBe(3);
  });

  it("VLMEvalKit's PRED_FORMAT=json predictions: paired by index", async () => {
    const scores = await gradeMllmAnswers({ questionsFile: questions, answersFile: new URL('vlmevalkit-predictions.json', fixtures).pathname, out: join(scratch, 'vlmevalkit') });
    expect(scores.inputs['answers']).toMatchObject({ format: 'vlmevalkit-predictions', pairedBy: 'index' });
    // A, '(b) Right', 'NaN' (no choice), A against A, B, B, A
    expect([scores.correctPairs, scores.pairs, scores.correctQuestions, scores.undetermined]).toEqual([1, 2, 3, 1]);
  });

  it('refuses either file against a question set in another order, naming the rows', async () => {
    const swapped = join(scratch, 'Swapped.csv');
    await writeFile(swapped, `${[QUESTIONS[0], QUESTIONS[3]!.replace(/^3/, '1'), QUESTIONS[4]!.replace(/^4/, '2'), QUESTIONS[1]!.replace(/^1/, '3'), QUESTIONS[2]!.replace(/^2/, '4')].join('\n')}\n`);
    await expect(gradeMllmAnswers({ questionsFile: swapped, answersFile: new URL('cambrian-answers.jsonl', fixtures).pathname, out: join(scratch, 'c2') })).rejects.toThrow(
      /4 answer\(s\) of .*cambrian-answers\.jsonl were asked another question than the row of .*Swapped\.csv they pair with.*nothing was graded:\n {2}.*cambrian-answers\.jsonl:1: paired with question 1 by question_id \+ 1 \(Cambrian counts rows from 0\), but it asked .*which does not contain row 1's question "Is the café sign lit\?"/,
    );
    await expect(gradeMllmAnswers({ questionsFile: swapped, answersFile: new URL('vlmevalkit-predictions.json', fixtures).pathname, out: join(scratch, 'v2') })).rejects.toThrow(
      /vlmevalkit-predictions\.json:1: paired with question 1 by index/,
    );
  });
});
