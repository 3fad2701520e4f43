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
    // model_id is the config's name, not its file name (every zoo model's file is pipeline.json)
    expect(new Set(answers.map((answer) => answer.model_id))).toEqual(new Set([JSON.parse(await readFile(tinyPipeline, 'utf8')).name]));

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

  /** A POPE folder with `count` good images and questions on them, plus `extra` lines. */
  async function popeFolder(name: string, splits: Record<string, string>) {
    const data = join(scratch, name);
    await mkdir(join(data, 'val2014'), { recursive: true });
    const image = (await readdir(pngs)).sort()[0]!;
    for (const id of [1, 2, 3]) await cp(join(pngs, image), join(data, 'val2014', `COCO_val2014_00000000000${id}.png`));
    await writeFile(join(data, 'val2014', 'COCO_val2014_000000000009.png'), Buffer.from('not a png at all')); // corrupt
    for (const [split, text] of Object.entries(splits)) await writeFile(join(data, `coco_pope_${split}.json`), text);
    return data;
  }
  const line = (id: number, image: number, object: string, label = 'yes', extra: object = {}) =>
    JSON.stringify({ question_id: id, image: `COCO_val2014_00000000000${image}.png`, text: `Is there a ${object} in the image?`, label, ...extra });
  const never: QuestionAnswerer = {
    ask: async () => {
      throw new Error('the model was called');
    },
  };

  it('a corrupt image is found before the first model call: its question is skipped and recorded with the reason; --strict fails (#31.4)', async () => {
    const data = await popeFolder('corrupt', { random: [line(1, 1, 'cat'), line(2, 9, 'dog'), line(3, 2, 'car', 'no')].join('\n') + '\n' });
    const asked: string[] = [];
    const warnings: string[] = [];
    const out = join(scratch, 'corrupt-out');
    const result = await evaluatePope({ pipeline: tinyPipeline, data, out, answerer: scripted({ cat: 'Yes', car: 'No' }, asked), onEvent: (event) => void (event.type === 'warning' && warnings.push(event.message)) });
    expect(asked).toEqual(['cat', 'car']);
    expect(result.skippedQuestions).toEqual([{ split: 'random', questionId: '2', image: 'COCO_val2014_000000000009.png', reason: expect.stringMatching(/^image .*COCO_val2014_000000000009\.png cannot be read \(/) }]);
    expect(JSON.parse(await readFile(join(out, 'pope-scores.json'), 'utf8')).skippedQuestions).toEqual(result.skippedQuestions);
    expect(warnings.join('\n')).toMatch(/coco_pope_random\.json:2: image .*000000000009\.png cannot be read .*question 2 skipped/);
    // --resume finishes (the skipped question is not waited for)
    const resumed = await evaluatePope({ pipeline: tinyPipeline, data, out, resume: true, answerer: never });
    expect(resumed.asked).toBe(0);
    await expect(evaluatePope({ pipeline: tinyPipeline, data, out: join(scratch, 'corrupt-strict'), strict: true, answerer: never })).rejects.toThrow(
      /1 problem\(s\) \(strict mode\)[\s\S]*000000000009\.png cannot be read/,
    );
  });

  it('an empty or unusable split file stops the run before any model call, naming the file (#31.5)', async () => {
    for (const [name, text, why] of [
      ['empty', '', /has no usable question: the file is empty/],
      ['invalid', '{"question_id": 1, "image": "x.png"}\nnot json\n', /has no usable question: 2 problem\(s\): not valid JSON/],
      ['no-images', [line(1, 9, 'cat'), line(2, 9, 'dog')].join('\n'), /has no usable question: all 2 question\(s\) skipped \(image .*cannot be read/],
    ] as const) {
      const data = await popeFolder(`bad-${name}`, { random: line(1, 1, 'cat') + '\n', adversarial: text });
      const out = join(scratch, `bad-${name}-out`);
      const error = await evaluatePope({ pipeline: tinyPipeline, data, out, answerer: never }).catch((caught: unknown) => caught);
      expect((error as Error).message, name).toMatch(new RegExp(`^POPE question file ${join(data, 'coco_pope_adversarial.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(adversarial split\\) ${why.source}`));
      expect((error as Error).message).toContain(`move it out of ${data} to run the other splits`);
      await expect(readdir(out)).rejects.toThrow(); // nothing written, not even the folder
    }
  });

  it('a wrong images folder is one line, not one per question; a category contradicting the file name is said once', async () => {
    const data = await popeFolder('wrong-images', { popular: [line(1, 1, 'cat', 'yes', { category: 'random' }), line(2, 2, 'dog', 'no', { category: 'random' })].join('\n') + '\n' });
    const warnings: string[] = [];
    const error = await evaluatePope({
      pipeline: tinyPipeline,
      data,
      images: join(data, 'coco_pope_popular.json', '..'),
      out: join(scratch, 'wrong-images-out'),
      answerer: never,
      onEvent: (event) => void (event.type === 'warning' && warnings.push(event.message)),
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/has no usable question: all 2 question\(s\) skipped/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/none of its 2 images is in .*; is the images folder right \(--images\)\? 2 question\(s\) skipped/);
    const categories: string[] = [];
    await evaluatePope({
      pipeline: tinyPipeline,
      data,
      out: join(scratch, 'category-out'),
      answerer: scripted({ cat: 'Yes', dog: 'No' }),
      onEvent: (event) => void (event.type === 'warning' && categories.push(event.message)),
    });
    expect(categories).toEqual([expect.stringMatching(/coco_pope_popular\.json: 2 question\(s\) say category 'random' \(line 1\), but the file name makes them the popular split; scored as popular/)]);
  });

  it('a folder without POPE files is refused naming the expected files; nothing is written', async () => {
    const empty = join(scratch, 'empty');
    await mkdir(empty);
    const out = join(scratch, 'out-empty');
    await expect(evaluatePope({ pipeline: tinyPipeline, data: empty, out })).rejects.toThrow(/has no POPE question file; expected the released names, e\.g\. coco_pope_random\.json/);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });
});
