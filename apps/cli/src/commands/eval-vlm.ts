import { join, resolve } from 'node:path';
import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { MMVP_PATTERNS, loadMmvpVlm } from '@mmvp/datasets';
import { createClipTextEncoder, createClipVisionEncoder } from '@mmvp/encoder-clip';
import { evaluateMmvpVlm, type VlmEvaluation } from '@mmvp/metrics';
import { executionProviders, type ExecutionProvider } from '@mmvp/onnx';
import type { Command } from 'commander';
import { cliVersion } from '../version';
import { packageVersions } from '@mmvp/study';
import { createProgress } from '../shared/progress';
import { sha256File } from '@mmvp/study';
import { prepareOutputFolder } from '../output-file';
import { writeAtomically } from '@mmvp/study';
import { positiveIntegerOption } from '../shared/positive-integer-option';

const PROVIDERS = executionProviders;
const CROP_ROUNDINGS = ['floor', 'round'] as const;

interface EvalVlmFlags {
  model: string;
  data: string;
  out: string;
  logitScale: string;
  batchSize: string;
  executionProvider: string;
  cropRounding: string;
  strict?: boolean;
  json?: boolean;
}

/** Short column names of the paper's Table 1, in the benchmark's pattern order. */
const SHORT_NAMES: Record<string, string> = {
  'Orientation and Direction': 'Ori',
  'Presence of Specific Features': 'Pres',
  'State and Condition': 'State',
  'Quantity and Count': 'Qty',
  'Positional and Relational Context': 'Spat',
  'Color and Appearance': 'Color',
  'Structural Characteristics': 'Struct',
  Texts: 'Text',
  'Viewpoint and Perspective': 'View',
};

/** `mmvp eval-vlm`: a CLIP model folder on an MMVP-VLM folder -> the paper's Table 1 row + per-pair CSV. */
export function registerEvalVlm(program: Command): void {
  program
    .command('eval-vlm')
    .description('score a CLIP model folder on MMVP-VLM with the official rule (per-pattern table like the paper\'s Table 1, per-pair CSV)')
    .requiredOption('--model <dir>', 'CLIP model folder (config.json, preprocessor_config.json, tokenizer.json, onnx/vision_model.onnx + onnx/text_model.onnx)')
    .requiredOption('--data <dir>', 'MMVP-VLM folder (Questions.csv + MMVP_VLM_Images/<Type>/<id>.jpg or .png)')
    .requiredOption('--out <dir>', 'folder for vlm-scores.json, pairs.csv and vlm-scores.md')
    .option('--logit-scale <x>', "CLIP's learned temperature; changes reported probabilities, never a prediction (OpenAI CLIP: 100)", '100')
    .option('--batch-size <n>', 'images per encoder call', '16')
    .option('--execution-provider <ep>', `onnxruntime execution provider: ${listChoices(PROVIDERS)}`, 'cpu')
    .option('--crop-rounding <mode>', `center-crop offset: ${listChoices(CROP_ROUNDINGS)} (floor: Hugging Face processors; round: OpenAI clip / torchvision)`, 'floor')
    .option('--strict', 'fail on any problem in the benchmark folder (default: report it and leave out the broken pairs)')
    .option('--json', 'print vlm-scores.json on stdout')
    .action(async (flags: EvalVlmFlags) => {
      const logitScale = Number(flags.logitScale);
      if (!(logitScale > 0)) throw new InvalidArgumentError(`--logit-scale must be a positive number, got '${flags.logitScale}'`);
      const batchSize = positiveIntegerOption('--batch-size', flags.batchSize);
      if (!(PROVIDERS as readonly string[]).includes(flags.executionProvider)) {
        throw new InvalidArgumentError(`--execution-provider '${flags.executionProvider}' is not valid; valid choices: ${listChoices(PROVIDERS)}`);
      }
      if (!(CROP_ROUNDINGS as readonly string[]).includes(flags.cropRounding)) {
        throw new InvalidArgumentError(`--crop-rounding '${flags.cropRounding}' is not valid; valid choices: ${listChoices(CROP_ROUNDINGS)}`);
      }
      const out = await prepareOutputFolder(flags.out, '--out');
      const data = await loadMmvpVlm(flags.data, { strict: flags.strict === true });
      const encoderOptions = {
        modelPath: flags.model,
        executionProvider: flags.executionProvider as ExecutionProvider,
        batchSize,
        cropRounding: flags.cropRounding as (typeof CROP_ROUNDINGS)[number],
      };
      const vision = await createClipVisionEncoder(encoderOptions);
      const text = await createClipTextEncoder(encoderOptions);
      const versions = packageVersions(['@mmvp/datasets', '@mmvp/metrics', '@mmvp/encoder-clip', '@mmvp/image', '@mmvp/onnx', 'onnxruntime-node']);
      const modelFiles = { vision: { path: vision.onnxPath, sha256: await sha256File(vision.onnxPath) }, text: { path: text.onnxPath, sha256: await sha256File(text.onnxPath) } };
      process.stderr.write(
        `mmvp eval-vlm: ${data.pairs.length} pairs in ${data.patterns.length} patterns (${data.questionsFile}); model ${vision.onnxPath} + ${text.onnxPath}, ` +
          `${vision.imageSize[0]}px, ${flags.executionProvider}; @mmvp/encoder-clip ${versions['@mmvp/encoder-clip']}, onnxruntime-node ${versions['onnxruntime-node']}\n`,
      );
      const progress = createProgress('pairs', data.pairs.length);
      const result = await evaluateMmvpVlm(data.pairs, { vision, text, logitScale, pairsPerStep: Math.max(1, Math.floor(batchSize / 2)), order: MMVP_PATTERNS, onProgress: (done) => progress.update(done) });
      progress.finish();
      await vision.dispose();

      const document = {
        benchmark: 'MMVP-VLM',
        pairs: result.rows.length,
        correctPairs: result.rows.filter((row) => row.correct).length,
        perPattern: result.perPattern,
        average: result.average,
        overall: result.overall,
        rule: 'official scripts/evaluate_vlm.py: softmax over the two images per statement; statement 1 must pick image 1, statement 2 image 2 (ties to image 2); per pattern correct pairs / pairs x 100; average = mean over patterns',
        prompt: `${result.promptPrefix}<statement>`,
        logitScale: result.logitScale,
        skippedPairs: Object.values(data.pairsPerPattern).reduce((sum, count) => sum + count, 0) - data.pairs.length,
        seconds: result.seconds,
        imagesPerSecond: (2 * result.rows.length) / result.seconds.total,
        inputs: { data: resolve(flags.data), questions: { path: data.questionsFile, sha256: await sha256File(data.questionsFile) } },
        provenance: {
          tool: `mmvp ${cliVersion}`,
          packages: versions,
          node: process.version,
          model: { folder: resolve(flags.model), files: modelFiles, imageSize: vision.imageSize, cropRounding: flags.cropRounding, executionProvider: flags.executionProvider },
          createdAt: new Date().toISOString(),
        },
      };
      await writeAtomically(join(out, 'pairs.csv'), pairsCsv(result));
      await writeAtomically(join(out, 'vlm-scores.md'), table(result, flags.model));
      await writeAtomically(join(out, 'vlm-scores.json'), `${JSON.stringify(document, null, 2)}\n`);
      if (flags.json) process.stdout.write(`${JSON.stringify(document)}\n`);
      else {
        process.stdout.write(table(result, flags.model));
        process.stdout.write(`${document.imagesPerSecond.toFixed(1)} images/s; wrote ${join(out, 'vlm-scores.json')}, ${join(out, 'pairs.csv')}, ${join(out, 'vlm-scores.md')}\n`);
      }
    });
}

/** The per-pair CSV of the official script (qid1, qid2, pred1, pred2, gt1, gt2, q1score, q2score) plus pattern and logits. */
function pairsCsv(result: VlmEvaluation): string {
  const header = 'qid1,qid2,pattern,pred1,pred2,gt1,gt2,q1score,q2score,correct,logit_t1_i1,logit_t1_i2,logit_t2_i1,logit_t2_i2';
  const rows = result.rows.map((row) =>
    [
      row.qid1,
      row.qid2,
      `"${row.pattern.replace(/"/g, '""')}"`,
      row.pred1,
      row.pred2,
      'img1',
      'img2',
      row.probabilityImage1[0],
      row.probabilityImage1[1],
      row.correct ? 1 : 0,
      row.logits[0][0],
      row.logits[0][1],
      row.logits[1][0],
      row.logits[1][1],
    ].join(','),
  );
  return [header, ...rows].join('\n') + '\n';
}

/** One markdown row in the layout of the paper's Table 1. */
function table(result: VlmEvaluation, model: string): string {
  const names = result.perPattern.map((row) => SHORT_NAMES[row.pattern] ?? row.pattern);
  return [
    `| Model | ${names.join(' | ')} | MMVP Average |`,
    `|---|${names.map(() => '---').join('|')}|---|`,
    `| ${model} | ${result.perPattern.map((row) => row.score.toFixed(1)).join(' | ')} | ${result.average.toFixed(1)} |`,
    '',
  ].join('\n');
}
