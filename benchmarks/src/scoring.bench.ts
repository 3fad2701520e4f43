/**
 * Scoring throughput and evaluation overhead:
 * 1. grading one 300-answer MMVP file with the rule grader (extraction + pair scoring), answers/s;
 * 2. pair scoring over 10,000 synthetic graded answer files (300 questions each), vs a bare loop that
 *    only counts both-right pairs (the floor for any pair scorer);
 * 3. the MMVP-VLM rule over 10,000 synthetic logit files (135 pairs each) vs a bare comparison loop;
 * 4. `eval-vlm` (evaluateMmvpVlm: texts + images + scoring) images/s on the tiny CLIP, vs the bare
 *    encoder (preprocess PNGs + embedPixels on the same images): our evaluation overhead.
 *
 *   pnpm --filter @mmvp/cli... build && pnpm bench scoring
 */
import { fileURLToPath } from 'node:url';
import { MMVP_PATTERNS } from '@mmvp/core';
import { loadMmvpVlm } from '@mmvp/datasets';
import { createClipTextEncoder, createClipVisionEncoder } from '@mmvp/encoder-clip';
import { evaluateMmvpVlm, extractChoice, gradeAnswers, pairAccuracy, scoreMmvpVlm, type GradedResult, type VlmPairLogits } from '@mmvp/metrics';
import { measure, printTable } from './timing';

const root = fileURLToPath(new URL('../../', import.meta.url));
const FILES = 10_000;

/** 300 questions with responses in the styles real models produce. */
function answerSet() {
  const styles = [
    (c: string, t: string) => c.toUpperCase(),
    (c: string) => `(${c})`,
    (c: string) => `The answer is ${c.toUpperCase()}.`,
    (_c: string, t: string) => `${t}.`,
    (_c: string, t: string) => `Looking at the image, I think the thing is ${t.toLowerCase()} from the camera's perspective.`,
    () => 'It could be either left or right; it is hard to say from this picture.',
  ];
  return Array.from({ length: 300 }, (_, i) => {
    const id = i + 1;
    const answer = (id % 2 === 1 ? 'a' : 'b') as 'a' | 'b';
    const said = id % 7 === 0 ? (answer === 'a' ? 'b' : 'a') : answer;
    const options = ['Left', 'Right'] as const;
    return {
      question: { id, pairId: Math.ceil(id / 2), question: 'Is the dog facing left or right from the camera?', optionsText: '(a) Left (b) Right', options, answer },
      answer: { questionId: id, response: styles[id % styles.length]!(said, options[said === 'a' ? 0 : 1]) },
    };
  });
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export default async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  const ratios: string[] = [];

  // 1. Grading 300 answers.
  const items = answerSet();
  const grading = await measure(() => gradeAnswers(items, { kind: 'rule' }).then((graded) => pairAccuracy(graded)), { minSeconds: 2 });
  const extraction = await measure(() => items.forEach((item) => extractChoice(item.answer.response, item.question.options)), { minSeconds: 1 });
  rows.push({ task: 'grade 300 answers (rule: extract + pairs)', 'items/s': grading.perSecond * 300, unit: 'answers' });
  rows.push({ task: 'extractChoice only', 'items/s': extraction.perSecond * 300, unit: 'answers' });

  // 2. Pair scoring over 10,000 answer files.
  const next = random(1);
  const files: GradedResult[][] = Array.from({ length: FILES }, () => Array.from({ length: 300 }, (_, i) => ({ questionId: i + 1, pairId: Math.floor(i / 2) + 1, correct: next() < 0.6 })));
  const ours = await measure(() => files.forEach((file) => pairAccuracy(file)), { minSeconds: 3, warmup: 1 });
  const bare = await measure(
    () =>
      files.forEach((file) => {
        let pairs = 0;
        for (let i = 0; i < file.length; i += 2) if (file[i]!.correct && file[i + 1]!.correct) pairs++;
        return pairs;
      }),
    { minSeconds: 2, warmup: 1 },
  );
  rows.push({ task: `pairAccuracy, ${FILES} files x 150 pairs`, 'items/s': ours.perSecond * FILES * 150, unit: 'pairs' });
  rows.push({ task: 'bare loop (count both-right pairs)', 'items/s': bare.perSecond * FILES * 150, unit: 'pairs' });
  ratios.push(`pairAccuracy / bare loop = ${(ours.perSecond / bare.perSecond).toFixed(3)} (it also groups by pair id, checks pair sizes, counts questions)`);

  // 3. MMVP-VLM rule over 10,000 logit files.
  const vlmFiles: VlmPairLogits[][] = Array.from({ length: FILES }, () =>
    Array.from({ length: 135 }, (_, p) => ({
      pattern: MMVP_PATTERNS[Math.floor(p / 15)]!,
      logits: [
        [20 + next() * 5, 20 + next() * 5],
        [20 + next() * 5, 20 + next() * 5],
      ] as [[number, number], [number, number]],
    })),
  );
  const vlmOurs = await measure(() => vlmFiles.forEach((file) => scoreMmvpVlm(file, MMVP_PATTERNS)), { minSeconds: 3, warmup: 1 });
  const vlmBare = await measure(
    () =>
      vlmFiles.forEach((file) => {
        let correct = 0;
        for (const pair of file) if (pair.logits[0][0] > pair.logits[0][1] && pair.logits[1][1] >= pair.logits[1][0]) correct++;
        return correct;
      }),
    { minSeconds: 2, warmup: 1 },
  );
  rows.push({ task: `scoreMmvpVlm, ${FILES} files x 135 pairs`, 'items/s': vlmOurs.perSecond * FILES * 135, unit: 'pairs' });
  rows.push({ task: 'bare loop (compare logits)', 'items/s': vlmBare.perSecond * FILES * 135, unit: 'pairs' });
  ratios.push(`scoreMmvpVlm / bare loop = ${(vlmOurs.perSecond / vlmBare.perSecond).toFixed(3)} (it also computes softmax probabilities and per-pattern tables)`);

  // 4. eval-vlm vs the bare encoder on the tiny CLIP.
  const modelPath = `${root}models/tiny-clip`;
  const data = await loadMmvpVlm(`${root}packages/metrics/src/__fixtures__/mmvp-vlm-tiny`, { strict: true });
  const images = data.pairs.flatMap((pair) => pair.statements.map((statement) => statement.imagePath));
  const vision = await createClipVisionEncoder({ modelPath, batchSize: 16 });
  const text = await createClipTextEncoder({ modelPath, batchSize: 16 });
  const texts = data.pairs.flatMap((pair) => pair.statements.map((statement) => `a photo of ${statement.statement}`));
  const embedImages = async () => {
    for (let start = 0; start < images.length; start += 16) await vision.embedPixels(await vision.preprocess(images.slice(start, start + 16)));
  };
  const paths: [string, () => Promise<unknown>][] = [
    ['eval', () => evaluateMmvpVlm(data.pairs, { vision, text, pairsPerStep: 8, order: MMVP_PATTERNS })],
    ['image', embedImages],
    ['both', async () => Promise.all([await text.encodeTexts(texts), await embedImages()])],
  ];
  // Interleaved rounds, best round kept per path, so load from other processes hits all paths alike.
  const best = new Map<string, number>();
  for (let round = 0; round < 4; round++) {
    for (const [name, fn] of paths) best.set(name, Math.max(best.get(name) ?? 0, (await measure(fn, { minSeconds: 1.5, warmup: 1 })).perSecond));
  }
  const evaluation = { perSecond: best.get('eval')! };
  const encoderOnly = { perSecond: best.get('image')! };
  const bothTowers = { perSecond: best.get('both')! };
  rows.push({ task: `eval-vlm (evaluateMmvpVlm), ${images.length} images + ${images.length} texts`, 'items/s': evaluation.perSecond * images.length, unit: 'images' });
  rows.push({ task: 'bare image encoder: preprocess PNGs + embedPixels', 'items/s': encoderOnly.perSecond * images.length, unit: 'images' });
  rows.push({ task: 'bare image + text encoders (same inputs)', 'items/s': bothTowers.perSecond * images.length, unit: 'images' });
  ratios.push(`eval-vlm / bare image encoder = ${(evaluation.perSecond / encoderOnly.perSecond).toFixed(3)} (eval-vlm also runs the text tower)`);
  ratios.push(`eval-vlm / bare image + text encoders = ${(evaluation.perSecond / bothTowers.perSecond).toFixed(3)} (our evaluation overhead: normalization, logits, scoring)`);
  await vision.dispose();

  printTable(rows);
  console.log('\nratios (higher is better for us; a shared CPU makes timings noisy):');
  for (const line of ratios) console.log(`  ${line}`);
}
