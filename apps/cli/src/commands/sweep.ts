import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DatasetError, InvalidArgumentError, InvalidConfigError, MmvpError, tensor, type Tensor } from '@mmvp/core';
import { loadMmvp, readPatternMap, type MmvpDataset } from '@mmvp/datasets';
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
  proxyData?: string;
  proxyLimit?: string;
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

/** An MMVP-format folder as --data takes it: the folder itself when it holds Questions.csv, else its MMVP/ subfolder. */
function mmvpFolderOf(dir: string): string {
  return existsSync(join(dir, 'Questions.csv')) ? dir : join(dir, 'MMVP');
}

/**
 * The --proxy-data question set, loaded by the same rules as --data; any error it raises names the
 * flag and the folder given (one line, the loader's message after it), before anything is encoded.
 */
async function loadProxy(dir: string): Promise<{ mmvpDir: string; dataset: MmvpDataset; patternMap: Map<number, string> }> {
  const mmvpDir = mmvpFolderOf(dir);
  try {
    const dataset = await loadMmvp(mmvpDir);
    const patternsFile = join(mmvpDir, 'patterns.csv');
    const patternMap = existsSync(patternsFile) ? await readPatternMap(patternsFile) : new Map<number, string>();
    return { mmvpDir, dataset, patternMap };
  } catch (error) {
    if (MmvpError.isInstance(error)) throw new MmvpError({ name: error.name, message: `--proxy-data ${dir}: ${error.message}`, cause: error });
    throw error;
  }
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
 * With `--proxy-data`, a second MMVP-format question set is answered at every ratio in the same
 * batches (its images encoded once too); its per-question accuracy is each point's
 * `instructionFollowing`, and its answers go to answers.jsonl under `<model> [proxy]`.
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
    .option('--limit <n>', 'only the first N pairs of --data (a quick look)')
    .option(
      '--proxy-data <dir>',
      'a second question set in the same MMVP folder format as --data, answered at every ratio (its images encoded once too); ' +
        "its per-question accuracy (%) fills each point's instructionFollowing, the other axis of the trade-off; answers go to answers.jsonl as '<model> [proxy]'",
    )
    .option('--proxy-limit <n>', 'only the first N pairs of --proxy-data')
    .action(async (flags: SweepFlags) => {
      const started = performance.now();
      const ratios = parseRatios(flags.ratios);
      const batchSize = positiveIntegerOption('--batch-size', flags.batchSize);
      const limit = flags.limit === undefined ? undefined : positiveIntegerOption('--limit', flags.limit);
      const proxyLimit = flags.proxyLimit === undefined ? undefined : positiveIntegerOption('--proxy-limit', flags.proxyLimit);
      if (proxyLimit !== undefined && flags.proxyData === undefined) throw new InvalidArgumentError('--proxy-limit needs --proxy-data');
      const out = await prepareOutputFolder(flags.out, '--out');
      const config = await loadPipelineConfig(flags.pipeline);
      if (config.decoder === undefined) throw new InvalidConfigError(`${config.configPath ?? flags.pipeline} has no 'decoder' section; the sweep answers questions`);
      if (config.adapters.additive === undefined || config.encoders.clip === undefined || config.encoders.dino === undefined) {
        throw new InvalidConfigError(`${config.configPath ?? flags.pipeline}: a sweep needs encoders.clip, encoders.dino and adapters.additive (the A-MoF adapter)`);
      }
      const mmvpDir = mmvpFolderOf(flags.data);
      const dataset = await loadMmvp(mmvpDir);
      const patternsFile = join(mmvpDir, 'patterns.csv');
      const patternMap = existsSync(patternsFile) ? await readPatternMap(patternsFile) : new Map<number, string>();
      const questions = limit === undefined ? dataset.questions : dataset.questions.filter((question) => question.pairId <= limit);
      // the instruction-following proxy set (optional), checked before anything is encoded
      const proxy = flags.proxyData === undefined ? undefined : await loadProxy(flags.proxyData);
      const proxyQuestions = proxy === undefined ? [] : proxyLimit === undefined ? proxy.dataset.questions : proxy.dataset.questions.filter((question) => question.pairId <= proxyLimit);
      if (proxy !== undefined && proxyQuestions.length === 0) {
        throw new DatasetError(`--proxy-data ${flags.proxyData}: ${proxy.mmvpDir} has no usable question pairs (every pair was skipped; see the warnings above)`);
      }
      const visual = await createVisualTokenizer(config);
      const decoder = await loadDecoder({ modelPath: config.decoder.modelPath, executionProvider: config.executionProvider });
      for (const line of visual.describe()) process.stderr.write(`sweep: ${line}\n`);
      process.stderr.write(`sweep: decoder ${config.decoder.modelPath}; ratios ${ratios.join(', ')}; ${questions.length} questions from ${mmvpDir}\n`);
      if (proxy !== undefined) process.stderr.write(`sweep: instruction-following proxy: ${proxyQuestions.length} questions from ${proxy.mmvpDir}\n`);
      await writeFile(join(out, 'answers.jsonl'), '');
      const responses = ratios.map(() => new Map<number, string>());
      const proxyResponses = ratios.map(() => new Map<number, string>());
      // images in order (--data's, then --proxy-data's not already among them); each image's features once, then every ratio
      const images = [...new Map([...questions, ...proxyQuestions].map((question) => [question.imagePath, question])).keys()];
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
          const ids: { id: number; into: Map<number, string> }[] = [];
          for (const [b, image] of chunk.entries()) {
            for (const [set, into] of [
              [questions, responses[r]!],
              [proxyQuestions, proxyResponses[r]!],
            ] as const) {
              for (const question of set.filter((q) => q.imagePath === image)) {
                const text = decoder.applyTemplate(config.decoder.template, formatQuestion(question.question, question.optionsText, config.decoder.prompt));
                prompts.push({ text, visualTokens: row(result.tokens, b) });
                ids.push({ id: question.id, into });
              }
            }
          }
          const generations = await decoder.generate({ prompts, maxNewTokens: config.decoder.maxNewTokens, decoding: { kind: 'greedy' } });
          generations.forEach((generation, i) => ids[i]!.into.set(ids[i]!.id, generation.text));
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
        // instruction-following proxy: per-question accuracy on --proxy-data, graded like --data
        const proxyPatternOf = (id: number) => proxy?.patternMap.get(id) ?? 'all';
        const proxyGraded = proxyQuestions.map((question) => {
          const response = proxyResponses[r]!.get(question.id) ?? '';
          const choice = extractChoice(response, question.options);
          return { question, response, choice, correct: choice === question.answer };
        });
        const instructionFollowing = proxy === undefined ? null : (100 * proxyGraded.filter((g) => g.correct).length) / proxyGraded.length;
        points.push({ model: name, ratio, pairAccuracy: overall.pairAccuracy, instructionFollowing });
        const toRecords = (model: string, rows: typeof graded, patternFor: (id: number) => string): AnswerRecord[] =>
          rows.map((g) => ({
            model,
            question_id: g.question.id,
            pattern: patternFor(g.question.id),
            question: g.question.question,
            options: g.question.optionsText,
            answer: `(${g.question.answer})`,
            response: g.response,
            choice: g.choice,
            correct: g.correct,
          }));
        await appendAnswers(out, toRecords(name, graded, patternOf));
        if (proxy !== undefined) await appendAnswers(out, toRecords(`${name} [proxy]`, proxyGraded, proxyPatternOf));
        const proxyText = instructionFollowing === null ? '' : `; proxy accuracy ${instructionFollowing.toFixed(1)}% (${proxyGraded.length} questions)`;
        process.stderr.write(`sweep: r=${ratio}: MMVP pair accuracy ${overall.pairAccuracy.toFixed(1)}% (questions ${overall.questionAccuracy.toFixed(1)}%)${proxyText}\n`);
      }
      await writeMllmScores(out, { patterns, models, correlations: [] });
      await writeSweep(out, {
        pipeline: config.configPath ?? flags.pipeline,
        proxy:
          proxy === undefined
            ? { name: 'instruction-following proxy', description: 'not measured by mmvp sweep (needs a second question set); the demo measures caption-question accuracy' }
            : {
                name: `proxy accuracy on ${basename(resolve(flags.proxyData!))}`,
                description:
                  `instruction-following proxy: per-question accuracy (%) on the ${proxyQuestions.length} questions of ${proxy.mmvpDir} (--proxy-data), ` +
                  `answered by the same pipeline at each ratio and graded like MMVP (option letter extracted by rule); its answers are in answers.jsonl as '<model> [proxy]'`,
              },
        points,
        references: [],
      });
      await writeRunInfo(out, {
        format: 'mmvp-results/v1',
        title: `A-MoF sweep of ${config.configPath ?? flags.pipeline}`,
        createdAt: new Date().toISOString(),
        command:
          `mmvp sweep --pipeline ${flags.pipeline} --ratios ${ratios.join(',')} --data ${flags.data} --out ${flags.out}` +
          (flags.proxyData === undefined ? '' : ` --proxy-data ${flags.proxyData}${proxyLimit === undefined ? '' : ` --proxy-limit ${proxyLimit}`}`),
        dataset: { name: 'MMVP', path: mmvpDir },
        grading: { method: 'rule', labels: 'original' },
        models: [{ name: 'pipeline', path: config.configPath ?? flags.pipeline }],
        timings: [
          { stage: `encode ${images.length} images once + mix at ${ratios.length} ratios`, seconds: encodeSeconds },
          { stage: 'decode', seconds: decodeSeconds },
        ],
        notes: [
          'The adapter and decoder are fixed; only the mixing ratio changes (the paper trains one model per ratio).',
          ...(proxy === undefined ? [] : [`Instruction-following proxy: per-question accuracy on ${proxyQuestions.length} questions of ${proxy.mmvpDir}.`]),
        ],
      });
      await visual.dispose();
      await decoder.dispose?.();
      process.stderr.write(`sweep: done in ${((performance.now() - started) / 1000).toFixed(1)} s; render with: mmvp report ${flags.out}\n`);
      process.stdout.write(`${out}\n`);
    });
}
