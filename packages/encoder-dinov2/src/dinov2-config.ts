import { ModelLoadError, parseWithSchema } from '@mmvp/core';
import { z } from 'zod';

/** The config.json fields the DINOv2 encoder reads (transformers' Dinov2Config). */
export const dinov2ConfigSchema = z
  .object({
    hidden_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    patch_size: z.number().int().positive(),
    /** Pretraining size (518 for the released models); other input sizes use interpolated positions. */
    image_size: z.number().int().positive(),
    /** Dinov2WithRegisters adds register tokens after CLS; 'patch' tokens drop them too. */
    num_register_tokens: z.number().int().nonnegative().optional(),
  })
  .passthrough();

/** The fields of a DINOv2 config.json that the encoder uses. */
export type Dinov2Config = z.infer<typeof dinov2ConfigSchema>;

/** model_type values of DINOv2 folders (transformers' Dinov2Config, Dinov2WithRegistersConfig). */
const dinov2ModelTypes = ['dinov2', 'dinov2_with_registers'] as const;

/**
 * The folder's config.json as a DINOv2 config. A folder of another model type (a CLIP folder, say) is
 * refused by name first, rather than with the schema's list of missing DINOv2 fields.
 */
export function parseDinov2Config(json: Record<string, unknown>, source: string): Dinov2Config {
  const type = json.model_type;
  if (typeof type === 'string' && !(dinov2ModelTypes as readonly string[]).includes(type)) {
    const what = type.startsWith('clip') ? 'a CLIP model folder' : `a '${type}' model folder`;
    throw new ModelLoadError(
      `${source} has model_type '${type}': this is ${what}, not DINOv2; @mmvp/encoder-dinov2 needs a DINOv2 folder (model_type 'dinov2' or 'dinov2_with_registers')` +
        (type.startsWith('clip') ? '; for a CLIP folder use @mmvp/encoder-clip' : ''),
    );
  }
  return parseWithSchema(dinov2ConfigSchema, json, source);
}
