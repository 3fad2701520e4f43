import type { Command } from 'commander';
import { formatShape, writeNpy } from '@mmvp/core';
import { embedFeatures, embedFeaturesOptionsSchema, type EmbedFeaturesOptions } from '@mmvp/study';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { tapFlags, tapOf, type TapFlags } from '../flags/tap-flags';
import { checkOutputFile, prepareOutputFile } from '../output-file';
import { createProgressPrinter } from '../run/progress-printer';

/** embedFeatures' options as flags. */
const embedFlags: FlagTable<EmbedFeaturesOptions> = {
  model: { flag: '--model <dir>', description: 'Hugging Face model folder (config.json, preprocessor_config.json, onnx/)' },
  images: { flag: '--image <files...>', description: 'image files: JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame)' },
  texts: { flag: '--text <texts...>', description: 'texts for text embeddings [B, E] (CLIP and SigLIP models)' },
  tap: notAFlag('--layer K or --tap NAME (tapFlags), one of the two'),
  tokens: { flag: '--tokens <which>', description: "'patch' (CLS dropped, the default), 'cls' or 'all'" },
  pooled: { flag: '--pooled', description: 'pooled, projected embeddings [B, E] (CLIP image_embeds, SigLIP and DINOv2 pooler_output) instead of token features' },
  batchSize: { flag: '--batch <n>', description: 'images per onnxruntime call' },
  processor: { flag: '--processor <which>', description: "DINOv2 only: 'own' (its processor) or 'clip' (the CLIP processor of --clip-model, as MMVP's MoF)" },
  clipModel: { flag: '--clip-model <dir>', description: 'CLIP folder whose preprocessor_config.json DINOv2 uses with --processor clip' },
  padToSquare: { flag: '--pad-square', description: 'pad images to a square with the mean colour first (LLaVA-1.5 image_aspect_ratio pad)' },
  cropRounding: { flag: '--crop-rounding <mode>', description: "center-crop offset: 'floor' (Hugging Face) or 'round' (OpenAI CLIP)" },
  executionProvider: { flag: '--device <ep>', description: 'onnxruntime execution provider' },
  dtype: { flag: '--dtype <variant>', description: 'image encoder weights by file suffix (int8 files: the format is printed, with a warning where this CPU saturates it)' },
  cacheDir: { flag: '--cache-dir <dir>', description: 'where tapped ONNX graphs are cached (default .mmvp-cache/ next to the ONNX file)' },
  abortSignal: notAFlag('the command runs to the end (Ctrl-C stops the process)'),
  onEvent: notAFlag('the progress printer prints each event on stderr'),
};
const cliFlags: FlagTable<TapFlags & { out: string }> = { ...tapFlags(''), out: { flag: '--out <file>', required: true, description: 'output .npy (float32)' } };

/**
 * `mmvp embed`: encoder features or pooled embeddings of images (CLIP, SigLIP or DINOv2), or CLIP / SigLIP text
 * embeddings, written as one float32 .npy.
 */
export function registerEmbed(program: Command): void {
  const command = program.command('embed').description('encoder features [B, T, D] or pooled embeddings [B, E] of images (CLIP, SigLIP, DINOv2), or CLIP / SigLIP text embeddings, as .npy');
  declareFlags(declareFlags(command, embedFlags, embedFeaturesOptionsSchema), cliFlags).action(async (values: Record<string, unknown>) => {
    const printer = createProgressPrinter('');
    const flags = optionsFromFlags(cliFlags, values);
    const options = optionsFromFlags(embedFlags, values) as EmbedFeaturesOptions;
    const tap = tapOf(flags);
    const out = await checkOutputFile(String(flags.out), '--out', 'embeddings.npy'); // folders are made only when there is a result to write
    const { tensor } = await embedFeatures({ ...options, ...(tap === undefined ? {} : { tap }), onEvent: printer.event }); // embedFeatures checks the options first
    await prepareOutputFile(out, '--out', 'embeddings.npy');
    await writeNpy(out, tensor.data, tensor.dims);
    printer.line(`wrote ${formatShape(tensor.dims)} float32${options.texts !== undefined ? ' text embeddings' : ''}`);
    process.stdout.write(`${out}\n`);
  });
}
