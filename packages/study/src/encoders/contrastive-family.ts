import { ModelLoadError, listChoices, type TextEncoderV1 } from '@mmvp/core';
import { createClipTextEncoder, createClipVisionEncoder, type ClipVisionEncoder } from '@mmvp/encoder-clip';
import { createSiglipTextEncoder, createSiglipVisionEncoder, readSiglipLogitParameters, type SiglipVisionEncoder } from '@mmvp/encoder-siglip';
import { resolveModelFolder, type ExecutionProvider } from '@mmvp/onnx';

/** The contrastive (image-text) encoder families, by the package that runs them. */
export type ContrastiveFamily = 'clip' | 'siglip';

/** config.json model_type values per family (a bare vision config names the vision tower). */
const MODEL_TYPES: Readonly<Record<ContrastiveFamily, readonly string[]>> = {
  clip: ['clip', 'clip_vision_model'],
  siglip: ['siglip', 'siglip_vision_model'],
};

/** What each family covers, for messages and docs. */
const contrastiveFamilyDescriptions: Readonly<Record<ContrastiveFamily, string>> = {
  clip: 'Hugging Face CLIPModel exports: OpenAI CLIP and the OpenCLIP conversions (DFN, MetaCLIP, LAION)',
  siglip: 'Hugging Face SiglipModel exports: SigLIP and fixed-resolution SigLIP 2',
};

/** The npm package that runs each family. */
export const contrastivePackages: Readonly<Record<ContrastiveFamily, string>> = { clip: '@mmvp/encoder-clip', siglip: '@mmvp/encoder-siglip' };

/**
 * The family of a contrastive model folder from config.json's model_type ('clip' / 'clip_vision_model',
 * 'siglip' / 'siglip_vision_model'; no model_type reads as CLIP, as older CLIP exports have none). Anything
 * else is one error line listing the supported values; `extra` names more accepted values for the message.
 */
export function contrastiveFamilyOf(config: Record<string, unknown>, configPath: string, extra: readonly string[] = []): ContrastiveFamily {
  const type = config.model_type;
  if (type === undefined) return 'clip';
  for (const family of Object.keys(MODEL_TYPES) as ContrastiveFamily[]) if (MODEL_TYPES[family].includes(String(type))) return family;
  const supported = [...MODEL_TYPES.clip, ...MODEL_TYPES.siglip, ...extra];
  throw new ModelLoadError(
    `${configPath} has model_type '${String(type)}', which no encoder package here runs; supported model_type values: ${listChoices(supported)} ` +
      `(clip: ${contrastiveFamilyDescriptions.clip}; siglip: ${contrastiveFamilyDescriptions.siglip}; EVA-CLIP is not supported, see docs/encoders.md)`,
  );
}

/** Encoder options shared by both families. */
export interface ContrastiveEncoderOptions {
  readonly modelPath: string;
  readonly batchSize?: number;
  readonly executionProvider?: ExecutionProvider;
  readonly cacheDir?: string;
  readonly padToSquare?: boolean;
  /** CLIP only (SigLIP does not crop). */
  readonly cropRounding?: 'floor' | 'round';
}

/** The vision tower of either family. */
export async function createContrastiveVisionEncoder(family: ContrastiveFamily, options: ContrastiveEncoderOptions): Promise<ClipVisionEncoder | SiglipVisionEncoder> {
  if (family === 'siglip') {
    const { cropRounding: _ignored, ...rest } = options;
    return createSiglipVisionEncoder(rest);
  }
  return createClipVisionEncoder(options);
}

/** The text tower of either family, with the ONNX file it runs. */
export async function createContrastiveTextEncoder(family: ContrastiveFamily, options: ContrastiveEncoderOptions): Promise<TextEncoderV1 & { readonly onnxPath: string; readonly maxLength: number }> {
  const { cropRounding: _crop, padToSquare: _pad, cacheDir: _cache, ...rest } = options;
  return family === 'siglip' ? createSiglipTextEncoder(rest) : createClipTextEncoder(rest);
}

/**
 * The family's logit parameters: CLIP (the MMVP-VLM protocol's fixed temperature, `fallbackScale`,
 * bias 0); SigLIP (exp(logit_scale) and logit_bias of the checkpoint, from onnx/model.onnx or config.json).
 */
export async function contrastiveLogitParameters(family: ContrastiveFamily, modelPath: string, fallbackScale: number): Promise<{ logitScale: number; logitBias: number; source: string }> {
  if (family === 'siglip') return readSiglipLogitParameters(modelPath);
  return { logitScale: fallbackScale, logitBias: 0, source: 'CLIP: fixed temperature' };
}

/** The vision tower of a model folder whose family config.json names, with what its pooled embedding is (for provenance lines). */
export async function openContrastiveVisionEncoder(
  options: ContrastiveEncoderOptions,
): Promise<{ readonly family: ContrastiveFamily; readonly encoder: ClipVisionEncoder | SiglipVisionEncoder; readonly embedding: string }> {
  const folder = await resolveModelFolder(options.modelPath);
  const family = contrastiveFamilyOf(folder.config, folder.configPath);
  const encoder = await createContrastiveVisionEncoder(family, options);
  const embedding = family === 'siglip' ? 'pooler_output (SigLIP attention-pooling head)' : 'image_embeds (CLIP pooled, projected)';
  return { family, encoder, embedding };
}
