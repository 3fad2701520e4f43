import { join } from 'node:path';
import type { MmvpItem } from '@mmvp/datasets';
import { extractChoice } from '@mmvp/metrics';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import { runSweep } from '../sweep/run-sweep';
import type { SweepQuestion } from '../sweep/sweep-data';
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
 * THE ONE PLACE the demo runs its LLaVA configurations, in the order given. The seed-1 A-MoF models
 * (one trained model per ratio) run together through the sweep's per-ratio protocol (`runSweep`: the
 * shared encoders run once per image for every ratio); CLIP-only and I-MoF run through their own
 * pipeline.json, as do the extra seeds of a ratio. The rest of the demo only sees ModelAnswers.
 */
export async function answerWithModels(
  zoo: string,
  models: readonly DemoLlavaModel[],
  evalSet: EvalSet,
  proxy: readonly ProxyQuestion[],
  options: { signal?: AbortSignal | undefined; onModel: (answers: ModelAnswers) => Promise<void> },
): Promise<void> {
  const swept = await sweepAdditiveModels(zoo, models, evalSet, proxy, options.signal);
  for (const model of models) {
    options.signal?.throwIfAborted();
    const answers = swept.get(model.name) ?? (await answerWithPipeline(zoo, model, evalSet, proxy, options.signal));
    await options.onModel(answers);
  }
}

/** One model through its own pipeline.json: MMVP questions, then the proxy questions. */
async function answerWithPipeline(zoo: string, model: DemoLlavaModel, evalSet: EvalSet, proxy: readonly ProxyQuestion[], signal: AbortSignal | undefined): Promise<ModelAnswers> {
  const questions = evalSet.mmvp.questions;
  const started = performance.now();
  const pipeline = await createPipeline(await loadPipelineConfig(join(zoo, model.name, 'pipeline.json')));
  let answers;
  try {
    const requests = [
      ...questions.map((question) => ({ image: question.imagePath, question: question.question, options: question.optionsText })),
      ...proxy.map((item) => ({ image: item.question.imagePath, question: PROXY_QUESTION, options: `(a) ${item.options[0]} (b) ${item.options[1]}` })),
    ];
    answers = await pipeline.askMany(requests, { batchSize: 16, ...(signal ? { signal } : {}) });
  } finally {
    await pipeline.dispose();
  }
  const graded = questions.map((question, i): GradedAnswer => {
    const choice = extractChoice(answers[i]!.text, question.options);
    return { question, choice, correct: choice === question.answer, response: answers[i]!.text, prompt: answers[i]!.prompt };
  });
  const proxyCorrect = proxy.map((item, i) => extractChoice(answers[questions.length + i]!.text, item.options) === item.answer);
  return { model, graded, proxyCorrect, seconds: (performance.now() - started) / 1000 };
}

/**
 * The A-MoF models among `models`, answered by one per-ratio sweep (their configs are checked to
 * share the encoders; each image is encoded once for all ratios). Each model's `seconds` is the
 * sweep's time divided by the number of ratios (the sweep does not time the models one by one).
 */
async function sweepAdditiveModels(zoo: string, models: readonly DemoLlavaModel[], evalSet: EvalSet, proxy: readonly ProxyQuestion[], signal: AbortSignal | undefined): Promise<Map<string, ModelAnswers>> {
  // one trained model per ratio: the seed-1 family (other seeds of a ratio run through their own pipeline.json)
  const additive = models.filter((model): model is Extract<DemoLlavaModel, { strategy: 'additive' }> => model.strategy === 'additive' && model.seed === 1);
  const answers = new Map<string, ModelAnswers>();
  if (additive.length === 0) return answers;
  const started = performance.now();
  const asSweepQuestion = (question: MmvpItem, text: string, options: readonly [string, string], optionsText: string, answer: 'a' | 'b'): SweepQuestion => ({
    id: question.id,
    pairId: question.pairId,
    imagePath: question.imagePath,
    question: text,
    optionsText,
    options,
    answer,
    pattern: evalSet.rowInfo.get(question.id)?.pattern ?? 'all',
  });
  const data = evalSet.mmvp.questions.map((question) => asSweepQuestion(question, question.question, question.options, question.optionsText, question.answer));
  const proxyData = proxy.map((item) => asSweepQuestion(item.question, PROXY_QUESTION, item.options, `(a) ${item.options[0]} (b) ${item.options[1]}`, item.answer));
  const byRatio = new Map(additive.map((model) => [String(model.ratio), model]));
  const result = await runSweep({
    pipelineFor: (_ratio, text) => join(zoo, byRatio.get(text)!.name, 'pipeline.json'),
    ratios: additive.map((model) => String(model.ratio)),
    data: { questions: data, path: evalSet.mmvp.dir },
    proxy: { data: { questions: proxyData, path: 'caption questions' } },
    modelName: (_ratio, text) => byRatio.get(text)!.name,
    batchSize: 16,
    ...(signal ? { abortSignal: signal } : {}),
  });
  const seconds = (performance.now() - started) / 1000 / additive.length;
  for (const ratio of result.ratios) {
    const model = byRatio.get(ratio.text)!;
    const questionsById = new Map(evalSet.mmvp.questions.map((question) => [question.id, question]));
    const graded = ratio.answers.map((answer): GradedAnswer => ({ question: questionsById.get(answer.question.id)!, choice: answer.choice, correct: answer.correct, response: answer.response, prompt: answer.prompt }));
    answers.set(model.name, { model, graded, proxyCorrect: ratio.proxyAnswers.map((answer) => answer.correct), seconds });
  }
  return answers;
}
