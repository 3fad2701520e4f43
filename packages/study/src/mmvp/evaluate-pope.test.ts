import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePope } from './evaluate-pope';
import type { QuestionAnswerer } from './evaluate-mllm';

const tinyPipeline = fileURLToPath(new URL('../../../../configs/pipelines/tiny-clip.json', import.meta.url));
const pngs = fileURLToPath(new URL('../../../metrics/src/__fixtures__/mmvp-vlm-tiny/MMVP_VLM_Images/Orientation/', import.meta.url));

/** A model whose reply per question id is fixed in advance (the hand-checked table below). */
function scripted(replies: Record<string, string>, asked: string[] = []): QuestionAnswerer {
  return {
    async ask(request) {
      const object = /Is there an? (\w+)/.exec(request.question)![1]!;
      asked.push(object);
      return { text: replies[object]!, prompt: request.question };
    },
  };
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-pope-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('evaluatePope (fake answerer, hand-checked scores)', () => {
  it('scores each split with "yes" positive and LLaVA\'s reading of the reply; resumes without re-asking', async () => {
    const data = join(scratch, 'pope');
    await mkdir(join(data, 'val2014'), { recursive: true });
    const image = (await readdir(pngs)).sort()[0]!;
    await cp(join(pngs, image), join(data, 'val2014', 'COCO_val2014_000000000001.png'));
    // random: objects a..e; labels and replies chosen so that the confusion matrix is known by hand.
    const random = [
      ['cat', 'yes', 'Yes, there is a cat.'], // TP
      ['dog', 'yes', 'Yes'], // TP
      ['bus', 'yes', 'There is not a bus.'], // FN
      ['car', 'no', 'Yes.'], // FP
      ['cup', 'no', 'No'], // TN
    ] as const;
    const adversarial = [
      ['fork', 'yes', 'No, I do not see one.'], // FN
      ['kite', 'no', 'no'], // TN
      ['sink', 'no', 'There is no sink. Yes.'], // TN (first sentence only)
      ['bowl', 'no', 'Nope'], // FP ("Nope" is not one of the words)
    ] as const;
    const lines = (rows: readonly (readonly [string, string, string])[], start: number) =>
      rows.map(([object, label], i) => JSON.stringify({ question_id: start + i, image: 'COCO_val2014_000000000001.png', text: `Is there a ${object} in the image?`, label })).join('\n') + '\n';
    await writeFile(join(data, 'coco_pope_random.json'), lines(random, 1));
    await writeFile(join(data, 'coco_pope_adversarial.json'), lines(adversarial, 1)); // same ids as random: keys are split:id
    const replies = Object.fromEntries([...random, ...adversarial].map(([object, , reply]) => [object, reply]));

    const out = join(scratch, 'out');
    const result = await evaluatePope({ pipeline: tinyPipeline, data, out, answerer: scripted(replies) });
    const [r, a] = result.splits;
    // random: TP 2, FP 1, TN 1, FN 1 -> acc 3/5, precision 2/3, recall 2/3, F1 2/3, yes-ratio 3/5
    expect(r).toMatchObject({ split: 'random', total: 5, truePositives: 2, falsePositives: 1, trueNegatives: 1, falseNegatives: 1 });
    expect([r!.accuracy, r!.precision, r!.recall, r!.f1, r!.yesRatio]).toEqual([0.6, 2 / 3, 2 / 3, 2 / 3, 0.6].map((v) => expect.closeTo(v, 12)));
    // adversarial: TP 0, FP 1, TN 2, FN 1 -> acc 2/4, precision 0, recall 0, F1 0, yes-ratio 1/4
    expect(a).toMatchObject({ split: 'adversarial', total: 4, truePositives: 0, falsePositives: 1, trueNegatives: 2, falseNegatives: 1, accuracy: 0.5, precision: 0, recall: 0, f1: 0, yesRatio: 0.25 });
    const answers = (await readFile(join(out, 'pope-answers.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers).toHaveLength(9);
    expect(Object.keys(answers[0])).toEqual(['question_id', 'prompt', 'text', 'answer_id', 'model_id', 'metadata', 'category', 'label', 'image', 'run_identity']);
    expect(answers[0].prompt).toBe('Is there a cat in the image?\nAnswer the question using a single word or phrase.');

    // Cut after 4 answers, the 4th without its newline: --resume asks only the 5 others, same bytes.
    const whole = await readFile(join(out, 'pope-answers.jsonl'), 'utf8');
    await writeFile(join(out, 'pope-answers.jsonl'), whole.split('\n').slice(0, 4).join('\n'));
    await expect(evaluatePope({ pipeline: tinyPipeline, data, out, answerer: scripted(replies) })).rejects.toThrow(/already has answers; pass --resume/);
    const asked: string[] = [];
    const resumed = await evaluatePope({ pipeline: tinyPipeline, data, out, resume: true, answerer: scripted(replies, asked) });
    expect(asked).toEqual(['cup', 'fork', 'kite', 'sink', 'bowl']);
    expect(resumed.asked).toBe(5);
    expect(await readFile(join(out, 'pope-answers.jsonl'), 'utf8')).toBe(whole);
    expect(resumed.splits).toEqual(result.splits);
  });
});
