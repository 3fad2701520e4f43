import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { formatIssue } from '@mmvp/datasets';
import { executionProviders, type ExecutionProvider } from '@mmvp/onnx';
import { evaluateVlm, type VlmProgressEvent } from '@mmvp/study';
import type { Command } from 'commander';
import { checkOutputFolder } from '../output-file';
import { createProgress } from '../shared/progress';
import { positiveIntegerOption } from '../shared/positive-integer-option';
import { cliVersion } from '../version';

const CROP_ROUNDINGS = ['floor', 'round'] as const;

interface EvalVlmFlags {
  model: string;
  data: string;
  out: string;
  logitScale?: string;
  batchSize: string;
  executionProvider: string;
  cropRounding: string;
  strict?: boolean;
  json?: boolean;
}

/** `mmvp eval-vlm`: flags in, one evaluateVlm call (@mmvp/study), progress on stderr, the table on stdout. */
export function registerEvalVlm(program: Command): void {
  program
    .command('eval-vlm')
    .description("score a CLIP or SigLIP model folder (config.json model_type 'clip' or 'siglip') on MMVP-VLM with the official rule (per-pattern table like the paper's Table 1 with 95% Wilson intervals, per-pair CSV)")
    .requiredOption(
      '--model <dir>',
      'CLIP or SigLIP model folder (config.json, preprocessor_config.json, tokenizer.json, onnx/vision_model.onnx + onnx/text_model.onnx; SigLIP also onnx/model.onnx for logit_scale/logit_bias)',
    )
    .requiredOption('--data <dir>', 'MMVP-VLM folder (Questions.csv + MMVP_VLM_Images/<Type>/<id>.jpg or .png; folders may be symlinks)')
    .requiredOption('--out <dir>', 'folder for vlm-eval-scores.json, vlm-pairs.csv and vlm-scores.md')
    .option('--logit-scale <x>', "the logit temperature; changes reported probabilities, never a prediction (default: 100 for CLIP, OpenAI CLIP's value; the checkpoint's exp(logit_scale) for SigLIP)")
    .option('--batch-size <n>', 'images per encoder call', '16')
    .option('--execution-provider <ep>', `onnxruntime execution provider: ${listChoices(executionProviders)}`, 'cpu')
    .option('--crop-rounding <mode>', `center-crop offset: ${listChoices(CROP_ROUNDINGS)} (floor: Hugging Face processors; round: OpenAI clip / torchvision)`, 'floor')
    .option('--strict', 'fail on any problem in the benchmark folder, a missing or unreadable image included (default: report it and leave out its pair)')
    .option('--json', 'print vlm-eval-scores.json on stdout')
    .action(async (flags: EvalVlmFlags) => {
      const logitScale = flags.logitScale === undefined ? undefined : Number(flags.logitScale);
      if (logitScale !== undefined && (!(logitScale > 0) || !Number.isFinite(logitScale))) throw new InvalidArgumentError(`--logit-scale must be a positive number, got '${flags.logitScale}'`);
      const batchSize = positiveIntegerOption('--batch-size', flags.batchSize);
      if (!(executionProviders as readonly string[]).includes(flags.executionProvider)) {
        throw new InvalidArgumentError(`--execution-provider '${flags.executionProvider}' is not valid; valid choices: ${listChoices(executionProviders)}`);
      }
      if (!(CROP_ROUNDINGS as readonly string[]).includes(flags.cropRounding)) {
        throw new InvalidArgumentError(`--crop-rounding '${flags.cropRounding}' is not valid; valid choices: ${listChoices(CROP_ROUNDINGS)}`);
      }
      const out = await checkOutputFolder(flags.out, '--out');
      let progress: ReturnType<typeof createProgress> | undefined;
      const onProgress = (event: VlmProgressEvent): void => {
        if (event.type === 'issue') process.stderr.write(`mmvp: warning: ${formatIssue(event.issue)}\n`);
        else if (event.type === 'skipped') process.stderr.write(`mmvp: warning: pair ${event.pairId} is skipped: ${event.reason}\n`);
        else if (event.type === 'resolved') {
          process.stderr.write(
            `mmvp eval-vlm: ${event.pairs} pairs in ${event.patterns} patterns (${event.questionsFile}); model ${event.visionModel} + ${event.textModel}, ` +
              `${event.imageSize[0]}px, ${event.executionProvider}; family ${event.family} (logit scale ${event.logitScale}, bias ${event.logitBias}); ` +
              `${event.encoderPackage} ${event.packages[event.encoderPackage]}, onnxruntime-node ${event.packages['onnxruntime-node']}\n`,
          );
          progress = createProgress('pairs', event.pairs);
        } else progress?.update(event.done);
      };
      const controller = new AbortController();
      const stop = () => controller.abort(new InvalidArgumentError('interrupted; nothing was written to --out'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const result = await evaluateVlm({
        model: flags.model,
        data: flags.data,
        out,
        batchSize,
        executionProvider: flags.executionProvider as ExecutionProvider,
        ...(logitScale === undefined ? {} : { logitScale }),
        cropRounding: flags.cropRounding as (typeof CROP_ROUNDINGS)[number],
        strict: flags.strict === true,
        tool: `mmvp ${cliVersion}`,
        signal: controller.signal,
        onProgress,
      }).finally(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      });
      progress?.finish();
      const { document, files } = result;
      if (flags.json) process.stdout.write(`${JSON.stringify(document)}\n`);
      else {
        process.stdout.write(result.markdown);
        process.stdout.write(`${document.imagesPerSecond.toFixed(1)} images/s; wrote ${files!.json}, ${files!.csv}, ${files!.markdown}\n`);
      }
    });
}
