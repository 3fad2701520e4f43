import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPeerAnswers } from './peer-answers';

const fixtures = new URL('./__fixtures__/', import.meta.url);

async function file(name: string, content: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'mmvp-peer-formats-')), name);
  await writeFile(path, content);
  return path;
}

describe("readPeerAnswers: lmms-eval's samples as v0.4 and later write them (no doc)", () => {
  // lmms_eval/loggers/evaluation_tracker.py:260-287 at 75571cf: input = arguments[0], resps dropped when
  // equal to filtered_resps, arguments and doc popped; mmvp_accuracy from tasks/mmvp/utils.py:150-184
  const record = (docId: number, index: number, response: string, question: string) => ({
    doc_id: docId,
    target: 'A',
    filtered_resps: response,
    token_counts: [null],
    doc_hash: 'ab'.repeat(32),
    mmvp_accuracy: { index, pair_index: Math.floor(index / 2), pred: response, pred_letter: 'A', gt: 'A', is_correct: true },
    mmvp_pair_accuracy: { index, pair_index: Math.floor(index / 2), pred: response, pred_letter: 'A', gt: 'A', is_correct: true },
    input: `${question}\nA. Left\nB. Right\nAnswer with the option's letter from the given choices directly.`,
  });

  it('takes the question from mmvp_accuracy.index + 1, whatever doc_id says, and keeps input and target for the checks', async () => {
    const path = await file('samples_mmvp.jsonl', `${[record(0, 6, 'A', 'q7'), record(1, 0, 'B.', 'q1')].map((r) => JSON.stringify(r)).join('\n')}\n`);
    const result = await readPeerAnswers(path);
    expect(result?.format).toBe('lmms-eval-samples');
    expect(result?.pairedBy).toBe('mmvp_accuracy.index + 1');
    expect(result?.warnings).toEqual([]);
    expect(result?.answers.map((a) => [a.questionId, a.response, a.answer, a.askedText?.split('\n')[0]])).toEqual([
      [7, 'A', 'A', 'q7'],
      [1, 'B.', 'A', 'q1'],
    ]);
  });

  it('falls back to doc_id + 1 only for records with neither index nor doc, and says so', async () => {
    const { mmvp_accuracy: _a, mmvp_pair_accuracy: _p, ...bare } = record(3, 3, 'A', 'q4');
    const result = await readPeerAnswers(await file('samples_other.jsonl', `${JSON.stringify(bare)}\n`));
    expect(result?.answers[0]?.questionId).toBe(4);
    expect(result?.warnings.join('\n')).toMatch(/paired by doc_id \+ 1 \(their position in the dataset\), which is right only while the dataset lists the questions in Index order/);
  });
});

describe("readPeerAnswers: Cambrian's answers file", () => {
  // cambrian 539ffc3 eval/eval/mmvp/mmvp_eval.py:150-157:
  //   ans_file.write(json.dumps({"question_id": idx, "prompt": prompt, "answer": outputs,
  //       "gt_answer": gt_answer, "model_id": model_name, "text_options": line["text_options"]}) + "\n")
  // idx counts the rows of Questions.csv from 0 (:125-129); fixture written by tools/make_interop_fixtures.py peer-files
  it('reads question_id as a 0-based row (question_id 0 is question 1), the response from answer, the gold from gt_answer', async () => {
    const result = await readPeerAnswers(new URL('cambrian-answers.jsonl', fixtures).pathname);
    expect(result?.format).toBe('cambrian-answers');
    expect(result?.pairedBy).toMatch(/^question_id \+ 1/);
    expect(result?.answers.map((a) => [a.questionId, a.response, a.answer])).toEqual([
      [1, 'A', '(a)'],
      [2, 'The answer is B.', '(b)'],
      [3, '(a)', '(b)'],
      [4, 'A', '(a)'],
    ]);
    expect(result?.answers[2]?.askedText).toContain('USER: <image>\nIs the café sign lit? Options:\nA. Yes\nB. No');
  });

  it("leaves the original script's answers.jsonl (question_id from 1, response) to the answers reader, and refuses a negative question_id", async () => {
    expect(await readPeerAnswers(await file('answers.jsonl', '{"question_id": 1, "prompt": "q (a) x (b) y", "answer": "(a)", "response": "A", "answer_id": "x", "model_id": "m"}\n'))).toBeUndefined();
    const bad = '{"question_id": -1, "prompt": "p", "answer": "A", "gt_answer": "(a)", "model_id": "m", "text_options": ["x", "y"]}\n';
    await expect(readPeerAnswers(await file('answers_0.jsonl', bad))).rejects.toThrow(/answers_0\.jsonl is not a readable Cambrian answers file:\n {2}.*answers_0\.jsonl:1: question_id -1 is not a 0-based row number/);
  });
});

describe("readPeerAnswers: VLMEvalKit's predictions saved as .json (PRED_FORMAT=json)", () => {
  // VLMEvalKit e8e78f0 vlmeval/smp/file.py:153-158 (dump_json): data.to_dict('records'), then
  // json.dump(data, open(pth, 'w'), indent=4, ensure_ascii=False, cls=NumpyEncoder); an empty cell is
  // NaN in pandas and a bare `NaN` in the file (allow_nan); fixture written by tools/make_interop_fixtures.py peer-files
  it("reads index / prediction / question / answer, with Python's bare NaN outside strings (and the string 'NaN' kept)", async () => {
    const result = await readPeerAnswers(new URL('vlmevalkit-predictions.json', fixtures).pathname);
    expect(result?.format).toBe('vlmevalkit-predictions');
    expect(result?.pairedBy).toBe('index');
    expect(result?.answers.map((a) => [a.questionId, a.response, a.answer, a.askedText])).toEqual([
      [1, 'A', 'A', 'Is the dog facing left or right?'],
      [2, '(b) Right', 'B', 'Is the dog facing left or right?'],
      [3, 'NaN', 'B', 'Is the café sign lit?'],
      [4, 'A', 'A', 'Is the café sign lit?'],
    ]);
    expect(result?.answers[0]?.fields['category']).toBeNull();
  });

  it("leaves other JSON alone: a 'logs' object is lmms-eval's older file, anything else is not a peer file", async () => {
    expect(await readPeerAnswers(await file('other.json', '[{"id": 1}]'))).toBeUndefined();
    expect((await readPeerAnswers(await file('old.json', '{"logs": [{"doc_id": 0, "doc": {"Index": 3}, "resps": [["B"]]}]}')))?.format).toBe('lmms-eval-logs');
  });
});
