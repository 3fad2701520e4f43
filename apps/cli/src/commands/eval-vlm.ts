import type { Command } from 'commander';
import { evaluateVlm, evaluateVlmOptionsSchema, type EvaluateVlmOptions } from '@mmvp/study';
import { declareFlags } from '../flags/declare-flags';
import type { FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { jsonFlag, runtimeKeys } from '../flags/shared-flags';
import { checkOutputFolder } from '../output-file';
import { withInterrupt } from '../run/interrupt';
import { createProgressPrinter } from '../run/progress-printer';
import { cliVersion } from '../version';

/** evaluateVlm's options as flags. */
const evalVlmFlags: FlagTable<EvaluateVlmOptions> = {
  model: {
    flag: '--model <dir>',
    description: 'CLIP or SigLIP model folder (config.json, preprocessor_config.json, tokenizer.json, onnx/vision_model.onnx + onnx/text_model.onnx; SigLIP also onnx/model.onnx for logit_scale/logit_bias)',
  },
  data: { flag: '--data <dir>', description: 'MMVP-VLM folder (Questions.csv + MMVP_VLM_Images/<Type>/<id>.jpg or .png; folders may be symlinks)' },
  out: { flag: '--out <dir>', required: true, description: 'folder for vlm-scores.json, pairs.csv and vlm-scores.md' },
  logitScale: {
    flag: '--logit-scale <x>',
    description: "the logit temperature; changes reported probabilities, never a prediction (default: 100 for CLIP, OpenAI CLIP's value; the checkpoint's exp(logit_scale) for SigLIP)",
  },
  batchSize: { flag: '--batch-size <n>', description: 'images per encoder call' },
  executionProvider: { flag: '--execution-provider <ep>', description: 'onnxruntime execution provider' },
  cropRounding: { flag: '--crop-rounding <mode>', description: 'center-crop offset (floor: Hugging Face processors; round: OpenAI clip / torchvision)' },
  strict: { flag: '--strict', description: 'fail on any problem in the benchmark folder, a missing or unreadable image included (default: report it and leave out its pair)' },
  ...runtimeKeys,
};
const cliFlags: FlagTable<{ json?: boolean }> = { json: jsonFlag('print vlm-scores.json on stdout') };

/** `mmvp eval-vlm`: flags in, one evaluateVlm call (@mmvp/study), progress on stderr, the table on stdout. */
export function registerEvalVlm(program: Command): void {
  const command = program
    .command('eval-vlm')
    .description("score a CLIP or SigLIP model folder (config.json model_type 'clip' or 'siglip') on MMVP-VLM with the official rule (per-pattern table like the paper's Table 1 with 95% Wilson intervals, per-pair CSV)");
  declareFlags(declareFlags(command, evalVlmFlags, evaluateVlmOptionsSchema), cliFlags).action(async (values: Record<string, unknown>) => {
    const options = optionsFromFlags(evalVlmFlags, values) as EvaluateVlmOptions & { out: string };
    const out = await checkOutputFolder(options.out, '--out');
    const printer = createProgressPrinter('mmvp eval-vlm');
    const result = await withInterrupt('nothing was written to --out', (abortSignal) => evaluateVlm({ ...options, out, tool: `mmvp ${cliVersion}`, abortSignal, onEvent: printer.event })).finally(printer.finish);
    const { document, files } = result;
    if (values['json']) process.stdout.write(`${JSON.stringify(document)}\n`);
    else process.stdout.write(`${result.markdown}${document.imagesPerSecond.toFixed(1)} images/s; wrote ${files!.json}, ${files!.csv}, ${files!.markdown}\n`);
  });
}
