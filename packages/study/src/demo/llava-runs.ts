import { join } from 'node:path';
import type { MmvpItem } from '@mmvp/datasets';
import { extractChoice } from '@mmvp/metrics';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import type { DemoLlavaModel } from './demo-options';
import type { EvalSet } from './synth-eval-set';

/** The instruction-following proxy: a coarse question any caption answers, no fine detail needed. */
export const PROXY_QUESTION = 'Which object is in the image?';

/** One proxy question: the scene's object and another object as options. */
export interface ProxyQuestion {
  readonly question: MmvpItem;
  readonly options: readonly [string, string];
  readonly answer: 'a' | 'b';
}

/** "Which object is in the image?" for every eval image, options in a seeded order. */
export function proxyQuestions(evalSet: EvalSet, seed: number): ProxyQuestion[] {
  const subjects = [...new Set(evalSet.truth.map((entry) => entry.subject))].sort();
  return evalSet.mmvp.questions.map((question) => {
    const subject = evalSet.rowInfo.get(question.id)?.subject ?? subjects[0]!;
    const others = subjects.filter((s) => s !== subject);
    const other = others[(question.id * 7 + seed) % others.length] ?? subject;
    const first = question.id % 2 === 0;
    const options = (first ? [subject, other] : [other, subject]) as [string, string];
    return { question, options, answer: first ? 'a' : 'b' };
  });
}

/** One MMVP question as a model answered it. */
export interface GradedAnswer {
  readonly question: MmvpItem;
  readonly choice: 'a' | 'b' | 'undetermined';
  readonly correct: boolean;
  readonly response: string;
  readonly prompt: string;
}

/** One model's answers to the eval set and to the proxy questions. */
export interface ModelAnswers {
  readonly model: DemoLlavaModel;
  readonly graded: readonly GradedAnswer[];
  /** Per proxy question (same order as proxyQuestions): answered right? */
  readonly proxyCorrect: readonly boolean[];
  readonly seconds: number;
}

/**
 * THE ONE PLACE the demo runs its LLaVA configurations. Today: each zoo model's own pipeline.json
 * through createPipeline, one model after another (so each A-MoF ratio re-runs the encoders). This
 * is where the sweep's per-ratio protocol (`runSweep`, encoders run once) will be swapped in; the
 * rest of the demo only sees ModelAnswers.
 */
export async function answerWithModels(
  zoo: string,
  models: readonly DemoLlavaModel[],
  evalSet: EvalSet,
  proxy: readonly ProxyQuestion[],
  options: { signal?: AbortSignal | undefined; onModel: (answers: ModelAnswers) => Promise<void> },
): Promise<void> {
  const questions = evalSet.mmvp.questions;
  for (const model of models) {
    options.signal?.throwIfAborted();
    const started = performance.now();
    const pipeline = await createPipeline(await loadPipelineConfig(join(zoo, model.name, 'pipeline.json')));
    let answers;
    try {
      const requests = [
        ...questions.map((question) => ({ image: question.imagePath, question: question.question, options: question.optionsText })),
        ...proxy.map((item) => ({ image: item.question.imagePath, question: PROXY_QUESTION, options: `(a) ${item.options[0]} (b) ${item.options[1]}` })),
      ];
      answers = await pipeline.askMany(requests, { batchSize: 16, ...(options.signal ? { signal: options.signal } : {}) });
    } finally {
      await pipeline.dispose();
    }
    const graded = questions.map((question, i): GradedAnswer => {
      const choice = extractChoice(answers[i]!.text, question.options);
      return { question, choice, correct: choice === question.answer, response: answers[i]!.text, prompt: answers[i]!.prompt };
    });
    const proxyCorrect = proxy.map((item, i) => extractChoice(answers[questions.length + i]!.text, item.options) === item.answer);
    await options.onModel({ model, graded, proxyCorrect, seconds: (performance.now() - started) / 1000 });
  }
}
