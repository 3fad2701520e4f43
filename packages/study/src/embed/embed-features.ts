import { InvalidArgumentError, ModelLoadError, concatBatch, listChoices, type FeatureTap, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { createClipTextEncoder, createClipVisionEncoder, type ClipVisionEncoder } from '@mmvp/encoder-clip';
import { createDinov2Encoder, type Dinov2Encoder } from '@mmvp/encoder-dinov2';
import { createSiglipTextEncoder, createSiglipVisionEncoder, type SiglipVisionEncoder } from '@mmvp/encoder-siglip';
import { resolveModelFolder } from '@mmvp/onnx';
import { packageVersion } from '../provenance/package-versions';
import { contrastiveFamilyOf } from '../encoders/contrastive-family';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';
import { workflowEmitter } from '../runner/workflow-events';
import type { EmbedEvent } from './embed-events';
import { embedFeaturesOptionsSchema, type EmbedFeaturesOptions } from './embed-features-options';

/** Which encoder family a model folder holds, read from its config.json. */
export type ModelFamily = 'clip' | 'siglip' | 'dinov2';

const PACKAGES: Readonly<Record<ModelFamily, string>> = { clip: '@mmvp/encoder-clip', siglip: '@mmvp/encoder-siglip', dinov2: '@mmvp/encoder-dinov2' };

/** What {@link embedFeatures} wrote: the model family, the feature shape and the output files. */
export interface EmbedFeaturesResult {
  readonly family: ModelFamily;
  /** [B, T, D] token features, [B, E] pooled image embeddings, or [B, E] text embeddings. */
  readonly tensor: Tensor;
}

/** The model family from config.json's model_type. */
function modelFamilyOf(config: Record<string, unknown>, configPath: string): ModelFamily {
  const type = String(config.model_type ?? '');
  if (type === 'dinov2') return 'dinov2';
  if (type === '') throw new ModelLoadError(`${configPath} has model_type ''; embedding supports ${listChoices(['clip', 'clip_vision_model', 'siglip', 'siglip_vision_model', 'dinov2'])}`);
  return contrastiveFamilyOf(config, configPath, ['dinov2']);
}

function describeTap(tap: FeatureTap): string {
  return tap.kind === 'layer' ? `layer ${tap.layer}` : tap.kind;
}

/**
 * Encoder features of images (CLIP or DINOv2, any tap, patch/CLS/all tokens, or pooled), or CLIP
 * text embeddings, from a model folder: the work behind `mmvp embed`. The options are checked first
 * ({@link embedFeaturesOptionsSchema}: one InvalidArgumentError naming the key and the valid choices,
 * before a file is read). The encoder outputs pass the encoders' numeric check (a NaN fails with the
 * model file, output and index).
 */
export async function embedFeatures(input: EmbedFeaturesOptions): Promise<EmbedFeaturesResult> {
  const options = parseWorkflowOptions('embedFeatures', embedFeaturesOptionsSchema, input);
  const emit = workflowEmitter<EmbedEvent>('embed', input.onEvent);
  const log = (line: string) => emit({ type: 'resolved', lines: [line] });
  const warn = (message: string) => emit({ type: 'warning', message });
  const images = options.images ?? [];
  const texts = options.texts ?? [];
  const folder = await resolveModelFolder(options.model);
  const family = modelFamilyOf(folder.config, folder.configPath);
  const batchSize = options.batchSize;
  const common = { modelPath: folder.dir, batchSize, executionProvider: options.executionProvider, cacheDir: options.cacheDir };
  log(`onnxruntime-node ${packageVersion('onnxruntime-node')}, device ${common.executionProvider}`);

  if (texts.length > 0) {
    if (family === 'dinov2') throw new InvalidArgumentError(`--text needs a CLIP or SigLIP model; ${folder.configPath} is a ${family} model`);
    if (family === 'siglip') {
      const siglip = await createSiglipTextEncoder(common);
      log(`model: SigLIP text (@mmvp/encoder-siglip@${packageVersion('@mmvp/encoder-siglip')}) ${siglip.onnxPath}, ${texts.length} texts, padded to ${siglip.maxLength} tokens`);
      return { family, tensor: await siglip.encodeTexts(texts) }; // [B, E]
    }
    const encoder = await createClipTextEncoder(common);
    log(`model: CLIP text (@mmvp/encoder-clip@${packageVersion('@mmvp/encoder-clip')}) ${encoder.onnxPath}, ${texts.length} texts, ${encoder.maxLength} tokens each`);
    for (const [i, text] of texts.entries()) {
      const count = encoder.tokenCount(text);
      if (count > encoder.maxLength) {
        const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
        warn(`--text ${i + 1} ("${shown}") is ${count} tokens with BOS/EOS; the model reads ${encoder.maxLength}, so the rest is cut (as Hugging Face's truncation=True does)`);
      }
    }
    return { family, tensor: await encoder.encodeTexts(texts) }; // [B, E]
  }

  const processor = options.processor;
  const crop = { padToSquare: options.padToSquare ?? false, cropRounding: options.cropRounding };
  let encoder: (ClipVisionEncoder | SiglipVisionEncoder | Dinov2Encoder) & VisionEncoderV1;
  const weights = { dtype: options.dtype, onWarning: (line: string) => warn(line) };
  if (family !== 'dinov2' && processor !== 'own') throw new InvalidArgumentError('--processor applies to DINOv2 models only');
  if (family === 'clip') {
    encoder = await createClipVisionEncoder({ ...common, ...crop, ...weights });
  } else if (family === 'siglip') {
    encoder = await createSiglipVisionEncoder({ ...common, padToSquare: crop.padToSquare, ...weights }); // SigLIP resizes without a crop
  } else {
    encoder = await createDinov2Encoder({ ...common, processor, clipModelPath: options.clipModel, ...crop, ...weights });
  }
  const tap: FeatureTap = options.tap ?? (family === 'dinov2' ? { kind: 'prenorm' } : { kind: 'layer', layer: -2 }); // LLaVA's CLIP default; MMVP's DINOv2 x_prenorm
  const tokens = options.tokens ?? 'patch';
  const packageName = PACKAGES[family];
  log(
    `model: ${family} (${packageName}@${packageVersion(packageName)}) ${encoder.onnxPath}: ${encoder.numLayers} layers, width ${encoder.hiddenSize}, input ${encoder.imageSize.join('x')}, grid ${encoder.patchGrid.join('x')}`,
  );
  if (encoder.int8) log(`int8 format: ${encoder.int8.description}`);
  if (options.pooled) {
    log(`output: pooled embeddings (${family === 'clip' ? 'image_embeds' : family === 'siglip' ? 'pooler_output of the attention-pooling head' : 'pooler_output'})`);
  } else {
    const resolved = await encoder.resolveTap(tap);
    const where = resolved.origin === 'source' ? 'an output of the export' : `tapped graph ${resolved.modelPath} (${resolved.origin})`;
    log(`output: ${describeTap(tap)}${resolved.hiddenStateIndex === null ? '' : ` = hidden_states[${resolved.hiddenStateIndex}]`}, tokens ${tokens}; tensor '${resolved.outputName}' from ${where}`);
  }
  const parts: Tensor[] = [];
  let done = 0;
  for (let start = 0; start < images.length; start += batchSize) {
    options.abortSignal?.throwIfAborted();
    const chunk = images.slice(start, start + batchSize);
    const pixels = await encoder.preprocess(chunk); // [b, 3, H, W]
    parts.push(options.pooled ? await encoder.embedPixels(pixels) : await encoder.encodePixels(pixels, { tap, tokens }));
    done += chunk.length;
    emit({ type: 'progress', stage: 'images', done, total: images.length, startedAt: 0 });
  }
  return { family, tensor: concatBatch(parts) }; // [B, T, D] or [B, E]
}
