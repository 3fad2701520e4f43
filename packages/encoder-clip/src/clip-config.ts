import { z } from 'zod';
import { parseWithSchema } from '@mmvp/core';

const visionConfigSchema = z
  .object({
    hidden_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    image_size: z.number().int().positive(),
    patch_size: z.number().int().positive(),
    projection_dim: z.number().int().positive().optional(),
  })
  .passthrough();

const textConfigSchema = z
  .object({
    hidden_size: z.number().int().positive(),
    max_position_embeddings: z.number().int().positive(),
    eos_token_id: z.number().int().nonnegative().optional(),
    pad_token_id: z.number().int().nonnegative().optional(),
  })
  .passthrough();

/** The config.json fields the CLIP encoders read (CLIPModel, or a bare CLIPVisionModel config). */
export const clipConfigSchema = z
  .object({
    model_type: z.string().optional(),
    projection_dim: z.number().int().positive().optional(),
    vision_config: visionConfigSchema.optional(),
    text_config: textConfigSchema.optional(),
  })
  .passthrough();

/** The fields of CLIP's vision config that the encoder uses. */
export type ClipVisionConfig = z.infer<typeof visionConfigSchema>;
/** The fields of CLIP's text config that the encoder uses. */
export type ClipTextConfig = z.infer<typeof textConfigSchema>;

/** vision_config of a CLIPModel config.json, or the file itself when it is a CLIPVisionConfig. */
export function clipVisionConfig(json: unknown, source: string): ClipVisionConfig {
  const config = parseWithSchema(clipConfigSchema, json, source);
  if (config.vision_config) return config.vision_config;
  return parseWithSchema(visionConfigSchema, json, source);
}

/** text_config of a CLIPModel config.json, or the file itself when it is a CLIPTextConfig. */
export function clipTextConfig(json: unknown, source: string): ClipTextConfig {
  const config = parseWithSchema(clipConfigSchema, json, source);
  if (config.text_config) return config.text_config;
  return parseWithSchema(textConfigSchema, json, source);
}
