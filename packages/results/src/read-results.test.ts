import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from './read-results';
import { RESULT_FILES } from './result-files';
import { appendAnswers, writeBlindPairs, writeMllmScores, writeRunInfo, writeVlmScores } from './write-results';

async function folderWith(files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mmvp-results-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
  return folder;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** An eval-vlm document as `evaluateVlm` writes it (the fields the reader uses, by hand). */
const evalVlmDocument = {
  benchmark: 'MMVP-VLM',
  pairs: 30,
  perPattern: [
    { pattern: 'Orientation and Direction', pairs: 15, correctPairs: 3, score: 20, ci95: [6.7, 40] },
    { pattern: 'Texts', pairs: 15, correctPairs: 6, score: 40, ci95: [20, 60] },
  ],
  average: 30,
  averageCi95: [16.7, 43.3],
  provenance: { model: { folder: '/models/clip-vit-l14' } },
};

/** A scores.json of eval-mllm: two patterns, and the pipeline that answered in its provenance. */
const evalMllmScores = {
  benchmark: 'MMVP',
  pairs: 4,
  correctPairs: 1,
  pairAccuracy: 25,
  questions: 8,
  correctQuestions: 5,
  questionAccuracy: 62.5,
  undetermined: 0,
  pairAccuracyCi95: [4.6, 69.9],
  questionAccuracyCi95: [30.6, 86.3],
  perPattern: [
    { pattern: 'Texts', pairs: 2, correctPairs: 1, pairAccuracy: 50, questions: 4, correctQuestions: 3, questionAccuracy: 75, pairAccuracyCi95: [9.5, 90.5], questionAccuracyCi95: [30.1, 95.4] },
    { pattern: 'Quantity and Count', pairs: 2, correctPairs: 0, pairAccuracy: 0, questions: 4, correctQuestions: 2, questionAccuracy: 50, pairAccuracyCi95: [0, 65.8], questionAccuracyCi95: [15, 85] },
  ],
  grader: { kind: 'rule' },
  labels: 'original',
  provenance: { createdAt: '2026-12-07T00:00:00.000Z', pipelineConfig: { path: '/p.json', config: { strategy: { name: 'interleaved' } } } },
};

const runInfo = { format: 'mmvp-results/v1' as const, title: 'MMVP evaluation of tiny-llava', createdAt: '2026-12-07T00:00:00.000Z', command: 'eval-mllm', models: [{ name: 'tiny-llava', path: '/p.json' }] };

describe('the results-file table', () => {
  it('gives every file name one schema and a version, and lists old names only for renamed files', () => {
    for (const [name, file] of Object.entries(RESULT_FILES)) {
      expect(file.version, name).toBeGreaterThanOrEqual(1);
      expect(typeof file.schema.safeParse, name).toBe('function');
    }
    expect(Object.entries(RESULT_FILES).flatMap(([name, file]) => ('oldNames' in file ? file.oldNames.map((old) => `${old} -> ${name}`) : []))).toEqual(['vlm-scores.json -> vlm-eval-scores.json']);
  });

  it("checks the demo's vlm-scores.json and eval-vlm's document each against its own schema only", () => {
    expect(RESULT_FILES['vlm-eval-scores.json'].schema.safeParse(evalVlmDocument).success).toBe(true);
    expect(RESULT_FILES['vlm-scores.json'].schema.safeParse(evalVlmDocument).success).toBe(false);
  });
});

describe('readResults', () => {
  it('reads back what the writers wrote (round trip), naming the files read', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-results-round-'));
    const vlm = { patterns: ['Texts'], models: [{ name: 'clip', kind: 'text-image' as const, pairsPerPattern: 15, perPattern: { Texts: 40 }, average: 40, averageCi95: [20, 60] as [number, number] }] };
    await writeVlmScores(folder, vlm);
    await writeMllmScores(folder, { patterns: ['Texts'], models: [{ name: 'm', strategy: 'clip', ratio: null, pairs: 15, questions: 30, pairAccuracy: 20, questionAccuracy: 50, perPattern: { Texts: 20 } }] });
    await writeRunInfo(folder, runInfo);
    await writeBlindPairs(folder, [{ imageA: 'a, "1".png', imageB: 'b.png', clipSimilarity: 0.97, dinoSimilarity: 0.41, pattern: 'Texts' }]);
    const graded = { model: 'm', question_id: 1, pattern: 'Texts', question: 'Is it "red", or blue?', options: '(a) red (b) blue', answer: '(a)', response: 'a', choice: 'a' as const, correct: true };
    await appendAnswers(folder, [graded]);
    const bundle = await readResults(folder);
    expect(bundle.read).toEqual(['run.json', 'vlm-scores.json', 'mllm-scores.json', 'blind-pairs.csv', 'answers.jsonl']);
    expect(bundle.vlmScores).toEqual(vlm);
    expect(bundle.blindPairs).toEqual([{ imageA: 'a, "1".png', imageB: 'b.png', clipSimilarity: 0.97, dinoSimilarity: 0.41, pattern: 'Texts' }]);
    expect(bundle.answers).toEqual([graded]);
    expect(bundle.notes).toBeUndefined();
  });

  it('renders an eval-mllm folder from its one scores file (scores.json), the model named by run.json and the strategy by the pipeline', async () => {
    const folder = await folderWith({ 'run.json': json(runInfo), 'scores.json': json(evalMllmScores) });
    const bundle = await readResults(folder);
    expect(bundle.read).toEqual(['run.json', 'scores.json']);
    expect(bundle.mllmScores?.patterns).toEqual(['Texts', 'Quantity and Count']);
    expect(bundle.mllmScores?.models).toEqual([
      {
        name: 'tiny-llava',
        strategy: 'interleaved',
        ratio: null,
        pairs: 4,
        questions: 8,
        pairAccuracy: 25,
        questionAccuracy: 62.5,
        perPattern: { Texts: 50, 'Quantity and Count': 0 },
        pairAccuracyCi95: [4.6, 69.9],
        questionAccuracyCi95: [30.6, 86.3],
        perPatternCi95: { Texts: [9.5, 90.5], 'Quantity and Count': [0, 65.8] },
      },
    ]);
  });

  it("leaves a grade folder's scores.json (no pipeline) out of the MLLM table and reads its run.json", async () => {
    const { pipelineConfig: _pipeline, ...provenance } = evalMllmScores.provenance;
    const folder = await folderWith({ 'run.json': json({ ...runInfo, command: 'grade' }), 'scores.json': json({ ...evalMllmScores, provenance }) });
    const bundle = await readResults(folder);
    expect(bundle.read).toEqual(['run.json']);
    expect(bundle.mllmScores).toBeUndefined();
  });

  it("reads eval-vlm's document under its new name, and under its old name vlm-scores.json with a note", async () => {
    const current = await readResults(await folderWith({ 'vlm-eval-scores.json': json(evalVlmDocument) }));
    expect(current.read).toEqual(['vlm-eval-scores.json']);
    expect(current.notes).toBeUndefined();
    expect(current.vlmScores?.models[0]).toMatchObject({ name: 'clip-vit-l14', kind: 'text-image', pairsPerPattern: 15, perPattern: { 'Orientation and Direction': 20, Texts: 40 }, average: 30 });
    const old = await readResults(await folderWith({ 'vlm-scores.json': json(evalVlmDocument) }));
    expect(old.vlmScores).toEqual(current.vlmScores);
    expect(old.notes).toEqual(["vlm-scores.json is mmvp eval-vlm's file of before 0.2, read under its old name for this release; it is now vlm-eval-scores.json"]);
  });

  it("says that an old eval-vlm pairs.csv is not mine's, and reads mine's pairs.csv as blind pairs", async () => {
    const oldVlmPairs = 'qid1,qid2,pattern,pred1,pred2,gt1,gt2,q1score,q2score,correct\n1,2,"Texts",img1,img2,img1,img2,0.6,0.4,1\n';
    await expect(readResults(await folderWith({ 'pairs.csv': oldVlmPairs }))).rejects.toThrow(/has none of the result files; .*pairs\.csv is mmvp eval-vlm's per-pair table of before 0\.2 \(now vlm-pairs\.csv\)/);
    const mined = await readResults(await folderWith({ 'pairs.csv': 'image_a,image_b,clip_cosine,dino_cosine,gap\n/x/a.png,/x/b.png,0.981000,0.412000,0.569000\n' }));
    expect(mined.read).toEqual(['pairs.csv']);
    expect(mined.blindPairs).toEqual([{ imageA: '/x/a.png', imageB: '/x/b.png', clipSimilarity: 0.981, dinoSimilarity: 0.412 }]);
  });

  it("reads an answering run's answers.jsonl (the original script's fields) without a gallery, and says why", async () => {
    const line = { question_id: 1, prompt: 'Is the dog facing left?', answer: '(a)', response: '(a)', answer_id: 'x', model_id: 'tiny', prompt_style: 'lmms-eval', image: 'MMVP Images/1.jpg', run_identity: 'abc' };
    const folder = await folderWith({ 'run.json': json(runInfo), 'answers.jsonl': `${JSON.stringify(line)}\n` });
    const bundle = await readResults(folder);
    expect(bundle.answers).toBeUndefined();
    expect(bundle.notes).toEqual(["answers.jsonl holds no graded answers (an answering run's log; its scores are in scores.json)"]);
  });

  it('names the file, the line and the field of a malformed file', async () => {
    const badAnswer = await folderWith({ 'answers.jsonl': `${JSON.stringify({ question_id: 1, answer: '(a)', response: 7 })}\n` });
    await expect(readResults(badAnswer)).rejects.toThrow(/answers\.jsonl line 1 is invalid: .*response/);
    const badVlm = await folderWith({ 'vlm-scores.json': json({ patterns: ['Texts'], models: [{ name: 'clip', kind: 'text-image', pairsPerPattern: 15, perPattern: { Texts: 140 }, average: 40 }] }) });
    await expect(readResults(badVlm)).rejects.toThrow(/vlm-scores\.json is invalid: .*models\.0\.perPattern\.Texts/);
    const badMined = await folderWith({ 'pairs.csv': 'image_a,image_b,clip_cosine,dino_cosine,gap\na.png,b.png,high,0.4,0.5\n' });
    await expect(readResults(badMined)).rejects.toThrow(/pairs\.csv line 2: clip_cosine 'high' is not a number/);
    const foreign = await folderWith({ 'pairs.csv': 'left,right,score\na.png,b.png,0.5\n' });
    await expect(readResults(foreign)).rejects.toThrow(/pairs\.csv: missing column image_a; mmvp mine writes image_a,image_b,clip_cosine,dino_cosine,gap$/);
  });
});
