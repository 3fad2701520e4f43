import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeMllmAnswers } from './grade-mllm';
import type { GradeEvent } from './mmvp-events';

// gradeMllmAnswers on the peers' per-sample outputs, on a hand-checked set (moved from apps/cli/test/grade-peers.test.ts:
// the same files and figures, on the library; the CLI keeps mmvp grade's smoke test).
// 4 pairs; gold: odd rows (a), even rows (b)
const QUESTIONS = ['Index,Question,Options,Correct Answer', ...Array.from({ length: 8 }, (_, k) => `${k + 1},Is the dog facing left or right?,(a) Left (b) Right,(${k % 2 === 0 ? 'a' : 'b'})`)].join('\n');
// responses by question id: pairs 1 and 3 fully right, pair 2 half right, pair 4 wrong (hand-checked: 2/4 pairs, 5/8 questions)
const RESPONSES: Record<number, string> = { 1: 'A', 2: 'B', 3: 'A', 4: 'A', 5: '(a) Left', 6: 'The answer is B.', 7: 'B', 8: 'A' };

let scratch: string;
let questions: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-grade-peers-'));
  questions = join(scratch, 'Questions.csv');
  await writeFile(questions, `${QUESTIONS}\n`);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Grades `answers` against the hand-checked questions, with the warnings it emitted. */
async function grade(answers: string, out: string) {
  const warnings: string[] = [];
  const scores = await gradeMllmAnswers({
    questionsFile: questions,
    answersFile: answers,
    out: join(scratch, out),
    onEvent: (event: GradeEvent) => void (event.type === 'warning' && warnings.push(event.message)),
  });
  return { scores, warnings: warnings.join('\n') };
}

describe("gradeMllmAnswers reads the peers' per-sample outputs", () => {
  it("lmms-eval's samples JSONL (question = doc.Index) gets our pair accuracy", async () => {
    const lines = Object.entries(RESPONSES).map(([id, text]) => JSON.stringify({ doc_id: Number(id) - 1, doc: { Index: Number(id), Question: 'q' }, target: 'A', resps: [[text]], filtered_resps: [text] }));
    const file = join(scratch, 'samples_mmvp_synth.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const { scores } = await grade(file, 'lmms');
    expect([scores.correctPairs, scores.pairs, scores.pairAccuracy]).toEqual([2, 4, 50]);
    expect(scores.questionAccuracy).toBe(62.5);
    expect((scores.inputs.answers as { format: string }).format).toBe('lmms-eval-samples');
  });

  it("VLMEvalKit's prediction TSV (question = index, response = prediction)", async () => {
    const header = ['index', 'question', 'A', 'B', 'answer', 'category', 'prediction'];
    const rows = Object.entries(RESPONSES).map(([id, text]) => [id, 'Is the dog facing left or right?', 'Left', 'Right', Number(id) % 2 === 1 ? 'A' : 'B', 'Orientation', text]);
    const file = join(scratch, 'llava_MMVPSynth.tsv');
    await writeFile(file, `${[header, ...rows].map((row) => row.map((field) => `"${field}"`).join('\t')).join('\n')}\n`);
    const { scores } = await grade(file, 'vlmevalkit');
    expect([scores.correctPairs, scores.pairs, scores.questionAccuracy]).toEqual([2, 4, 62.5]);
    expect((scores.inputs.answers as { format: string }).format).toBe('vlmevalkit-predictions');
  });

  it('warns when answers.jsonl is not in question order (gpt_grader.py pairs by line order), and grades by id all the same', async () => {
    const ids = [2, 1, 3, 4, 5, 6, 7, 8];
    const file = join(scratch, 'answers.jsonl');
    await writeFile(file, `${ids.map((id) => JSON.stringify({ question_id: id, response: RESPONSES[id] })).join('\n')}\n`);
    const { scores, warnings } = await grade(file, 'ordered');
    expect(warnings).toMatch(/answers\.jsonl:2: answers are not in question order \(question 1 after 2\).*gpt_grader\.py pairs them by line order/);
    expect([scores.correctPairs, scores.pairs]).toEqual([2, 4]);
  });

  it('a header-only Questions.csv says it has no rows, and no out folder is created (QA m3, m21)', async () => {
    const empty = join(scratch, 'header-only.csv');
    await writeFile(empty, 'Index,Question,Options,Correct Answer\n');
    const answers = join(scratch, 'one.jsonl');
    await writeFile(answers, '{"question_id": 1, "response": "A"}\n');
    const out = join(scratch, 'm21-grade');
    await expect(gradeMllmAnswers({ questionsFile: empty, answersFile: answers, out })).rejects.toThrow(/header-only\.csv has a header but no question rows/);
    await expect(stat(out)).rejects.toThrow();
  });
});
