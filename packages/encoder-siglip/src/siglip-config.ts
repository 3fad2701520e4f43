import { z } from 'zod';
import { parseWithSchema } from '@mmvp/core';

// Defaults are transformers' SiglipVisionConfig / SiglipTextConfig defaults: published config.json files
// (e.g. Xenova/siglip-base-patch16-224) list only the fields that differ from them.
const visionConfigSchema = z
  .object({
    hidden_size: z.number().int().positive().default(768),
    num_hidden_layers: z.number().int().positive().default(12),
    image_size: z.number().int().positive().default(224),
    patch_size: z.number().int().positive().default(16),
    vision_use_head: z.boolean().default(true),
  })
  .passthrough();

const textConfigSchema = z
  .object({
    hidden_size: z.number().int().positive().default(768),
    max_position_embeddings: z.number().int().positive().default(64),
    vocab_size: z.number().int().positive().default(32000),
    projection_size: z.number().int().positive().optional(),
  })
  .passthrough();

/** The config.json fields the SigLIP encoders read (SiglipModel, or a bare SiglipVisionConfig / SiglipTextConfig). */
export const siglipConfigSchema = z
  .object({
    model_type: z.string().optional(),
    vision_config: visionConfigSchema.optional(),
    text_config: textConfigSchema.optional(),
    /** Not a Hugging Face field: the checkpoint's `logit_scale` parameter (log space), for folders whose graphs do not hold it. */
    logit_scale: z.number().finite().optional(),
    /** Not a Hugging Face field: the checkpoint's `logit_bias` parameter, for folders whose graphs do not hold it. */
    logit_bias: z.number().finite().optional(),
  })
  .passthrough();

/** The fields of SigLIP's vision config that the encoder uses (defaults filled in). */
export type SiglipVisionConfig = z.infer<typeof visionConfigSchema>;
/** The fields of SigLIP's text config that the encoder uses (defaults filled in). */
export type SiglipTextConfig = z.infer<typeof textConfigSchema>;

function isComposite(json: unknown): boolean {
  const type = (json as { model_type?: unknown } | null)?.model_type;
  return type === 'siglip' || (typeof json === 'object' && json !== null && ('vision_config' in json || 'text_config' in json));
}

/** vision_config of a SiglipModel config.json (defaults for absent fields), or the file itself when it is a SiglipVisionConfig. */
export function siglipVisionConfig(json: unknown, source: string): SiglipVisionConfig {
  if (isComposite(json)) return parseWithSchema(siglipConfigSchema, json, source).vision_config ?? visionConfigSchema.parse({});
  return parseWithSchema(visionConfigSchema, json, source);
}

/** text_config of a SiglipModel config.json (defaults for absent fields), or the file itself when it is a SiglipTextConfig. */
export function siglipTextConfig(json: unknown, source: string): SiglipTextConfig {
  if (isComposite(json)) return parseWithSchema(siglipConfigSchema, json, source).text_config ?? textConfigSchema.parse({});
  return parseWithSchema(textConfigSchema, json, source);
}
