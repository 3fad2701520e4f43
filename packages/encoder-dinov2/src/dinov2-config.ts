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

export type Dinov2Config = z.infer<typeof dinov2ConfigSchema>;
