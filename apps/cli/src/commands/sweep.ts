import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, InvalidConfigError, tensor, type Tensor } from '@mmvp/core';
import { loadMmvp, readPatternMap } from '@mmvp/datasets';
import { formatQuestion, loadDecoder } from '@mmvp/decoder';
import { extractChoice, pairAccuracy, patternTable } from '@mmvp/metrics';
import { createVisualTokenizer, loadPipelineConfig } from '@mmvp/pipeline';
import { appendAnswers, writeMllmScores, writeRunInfo, writeSweep, type AnswerRecord } from '@mmvp/report';
import { prepareOutputFolder } from '../output-file';
import { positiveIntegerOption } from '../shared/positive-integer-option';

interface SweepFlags {
  pipeline: string;
  ratios: string;
  data: string;
  out: string;
  batchSize: string;
  limit?: string;
}

/** The paper's A-MoF ratios. */
const PAPER_RATIOS = '0,0.25,0.5,0.625,0.75,0.875,1';

function parseRatios(text: string): number[] {
  const ratios = text.split(',').map((part) => part.trim()).filter((part) => part !== '').map(Number);
  if (ratios.length === 0 || ratios.some((r) => !Number.isFinite(r) || r < 0 || r > 1)) {
    throw new InvalidArgumentError(`--ratios must be a comma-separated list of DINOv2 ratios in [0, 1] (e.g. ${PAPER_RATIOS}), got '${text}'`);
  }
  return ratios;
}

/** Row b of [B, T, H] as [T, H]. */
function row(t: Tensor, b: number): Tensor {
  const [, tokens, width] = t.dims as [number, number, number];
  return tensor(t.data.slice(b * tokens * width, (b + 1) * tokens * width), [tokens, width]);
}

/**
 * `mmvp sweep`: the A-MoF ablation of one pipeline at inference time. Each image is encoded ONCE by
 * both encoders; the mixture's `sweep` mixes those features at every ratio through the pipeline's
 * additive adapter, and the decoder answers every MMVP question at every ratio. Writes a results
 * folder (`sweep.json`, `mllm-scores.json`, `answers.jsonl`, `run.json`) that `mmvp report` renders.
 * Unlike the paper (one model trained per ratio) this varies r with the adapter and LLM fixed; the
 * demo's zoo has one trained model per ratio.
 */
export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('A-MoF ratio ablation for a pipeline: encode each image once, mix at every ratio, answer MMVP at each; writes a results folder for mmvp report')
    .requiredOption('--pipeline <file>', 'pipeline config (JSON) with clip and dino encoders and an additive adapter')
    .option('--ratios <list>', 'comma-separated DINOv2 ratios r', PAPER_RATIOS)
    .requiredOption('--data <dir>', 'MMVP folder (Questions.csv + MMVP Images/), or a folder holding MMVP/')
    .requiredOption('--out <dir>', 'results folder')
    .option('--batch-size <n>', 'images encoded and prompts decoded together', '8')
    .option('--limit <n>', 'only the first N pairs (a quick look)')
    .action(async (flags: SweepFlags) => {
      const started = performance.now();
      const ratios = parseRatios(flags.ratios);
      const batchSize = positiveIntegerOption('--batch-size', flags.batchSize);
      const limit = flags.limit === undefined ? undefined : positiveIntegerOption('--limit', flags.limit);
      const out = await prepareOutputFolder(flags.out, '--out');
      const config = await loadPipelineConfig(flags.pipeline);
      if (config.decoder === undefined) throw new InvalidConfigError(`${config.configPath ?? flags.pipeline} has no 'decoder' section; the sweep answers questions`);
      if (config.adapters.additive === undefined || config.encoders.clip === undefined || config.encoders.dino === undefined) {
        throw new InvalidConfigError(`${config.configPath ?? flags.pipeline}: a sweep needs encoders.clip, encoders.dino and adapters.additive (the A-MoF adapter)`);
      }
      const mmvpDir = existsSync(join(flags.data, 'Questions.csv')) ? flags.data : join(flags.data, 'MMVP');
      const dataset = await loadMmvp(mmvpDir);
      const patternsFile = join(mmvpDir, 'patterns.csv');
      const patternMap = existsSync(patternsFile) ? await readPatternMap(patternsFile) : new Map<number, string>();
      const questions = limit === undefined ? dataset.questions : dataset.questions.filter((question) => question.pairId <= limit);
      const visual = await createVisualTokenizer(config);
      const decoder = await loadDecoder({ modelPath: config.decoder.modelPath, executionProvider: config.executionProvider });
      for (const line of visual.describe()) process.stderr.write(`sweep: ${line}\n`);
      process.stderr.write(`sweep: decoder ${config.decoder.modelPath}; ratios ${ratios.join(', ')}; ${questions.length} questions from ${mmvpDir}\n`);
      await writeFile(join(out, 'answers.jsonl'), '');
      const responses = ratios.map(() => new Map<number, string>());
      // images in order; each image's features once, then every ratio
      const images = [...new Map(questions.map((question) => [question.imagePath, question])).keys()];
      let encodeSeconds = 0;
      let decodeSeconds = 0;
      for (let start = 0; start < images.length; start += batchSize) {
        const chunk = images.slice(start, start + batchSize);
        const encodeStarted = performance.now();
        const features = await visual.encode(chunk); // encoded once
        const mixed = await visual.mixture.sweep(features, ratios); // [B, N, H] per ratio
        encodeSeconds += (performance.now() - encodeStarted) / 1000;
        const decodeStarted = performance.now();
        for (const [r, result] of mixed.entries()) {
          const prompts = [];
          const ids: number[] = [];
          for (const [b, image] of chunk.entries()) {
            for (const question of questions.filter((q) => q.imagePath === image)) {
              const text = decoder.applyTemplate(config.decoder.template, formatQuestion(question.question, question.optionsText, config.decoder.prompt));
              prompts.push({ text, visualTokens: row(result.tokens, b) });
              ids.push(question.id);
            }
          }
          const generations = await decoder.generate({ prompts, maxNewTokens: config.decoder.maxNewTokens, decoding: { kind: 'greedy' } });
          generations.forEach((generation, i) => responses[r]!.set(ids[i]!, generation.text));
        }
        decodeSeconds += (performance.now() - decodeStarted) / 1000;
        process.stderr.write(`sweep: ${Math.min(start + batchSize, images.length)}/${images.length} images x ${ratios.length} ratios\n`);
      }
      const patternOf = (id: number) => patternMap.get(id) ?? 'all';
      const patterns = [...new Set(questions.map((question) => patternOf(question.id)))];
      const models = [];
      const points = [];
      for (const [r, ratio] of ratios.entries()) {
        const name = `r=${ratio}`;
        const graded = questions.map((question) => {
          const response = responses[r]!.get(question.id) ?? '';
          const choice = extractChoice(response, question.options);
          return { question, response, choice, correct: choice === question.answer };
        });
        const results = graded.map((g) => ({ questionId: g.question.id, pairId: g.question.pairId, correct: g.correct, pattern: patternOf(g.question.id) }));
        const overall = pairAccuracy(results);
        const table = patternTable(results, patterns);
        models.push({
          name,
          strategy: 'additive' as const,
          ratio,
          pairs: overall.pairs,
          questions: overall.questions,
          pairAccuracy: overall.pairAccuracy,
          questionAccuracy: overall.questionAccuracy,
          perPattern: Object.fromEntries(patterns.map((p) => [p, table.rows.find((rowOfTable) => rowOfTable.pattern === p)?.pairAccuracy ?? 0])),
        });
        points.push({ model: name, ratio, pairAccuracy: overall.pairAccuracy, instructionFollowing: null });
        const records: AnswerRecord[] = graded.map((g) => ({
          model: name,
          question_id: g.question.id,
          pattern: patternOf(g.question.id),
          question: g.question.question,
          options: g.question.optionsText,
          answer: `(${g.question.answer})`,
          response: g.response,
          choice: g.choice,
          correct: g.correct,
        }));
        await appendAnswers(out, records);
        process.stderr.write(`sweep: r=${ratio}: MMVP pair accuracy ${overall.pairAccuracy.toFixed(1)}% (questions ${overall.questionAccuracy.toFixed(1)}%)\n`);
      }
      await writeMllmScores(out, { patterns, models, correlations: [] });
      await writeSweep(out, {
        pipeline: config.configPath ?? flags.pipeline,
        proxy: { name: 'instruction-following proxy', description: 'not measured by mmvp sweep (needs a second question set); the demo measures caption-question accuracy' },
        points,
        references: [],
      });
      await writeRunInfo(out, {
        format: 'mmvp-results/v1',
        title: `A-MoF sweep of ${config.configPath ?? flags.pipeline}`,
        createdAt: new Date().toISOString(),
        command: `mmvp sweep --pipeline ${flags.pipeline} --ratios ${ratios.join(',')} --data ${flags.data} --out ${flags.out}`,
        dataset: { name: 'MMVP', path: mmvpDir },
        grading: { method: 'rule', labels: 'original' },
        models: [{ name: 'pipeline', path: config.configPath ?? flags.pipeline }],
        timings: [
          { stage: `encode ${images.length} images once + mix at ${ratios.length} ratios`, seconds: encodeSeconds },
          { stage: 'decode', seconds: decodeSeconds },
        ],
        notes: ['The adapter and decoder are fixed; only the mixing ratio changes (the paper trains one model per ratio).'],
      });
      await visual.dispose();
      await decoder.dispose?.();
      process.stderr.write(`sweep: done in ${((performance.now() - started) / 1000).toFixed(1)} s; render with: mmvp report ${flags.out}\n`);
      process.stdout.write(`${out}\n`);
    });
}
