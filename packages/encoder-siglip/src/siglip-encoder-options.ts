import { z } from 'zod';
import { executionProviders, modelDtypes } from '@mmvp/onnx';

/** Options of createSiglipVisionEncoder / createSiglipTextEncoder (also the pipeline config's `options`). */
export const siglipEncoderOptionsSchema = z
  .object({
    /** Local Hugging Face model folder (config.json, preprocessor_config.json, onnx/vision_model.onnx, onnx/text_model.onnx). */
    modelPath: z.string().min(1),
    executionProvider: z.enum(executionProviders).default('cpu'),
    /** Images or texts per session.run call; results do not depend on it. */
    batchSize: z.number().int().positive().default(8),
    /** ONNX weight variant by file suffix ('fp32' = no suffix, 'fp16' = _fp16, ...). */
    dtype: z.enum(modelDtypes).default('fp32'),
    intraOpThreads: z.number().int().nonnegative().optional(),
    /** Pad to a square with the mean colour before the processor (LLaVA's `image_aspect_ratio: pad`). */
    padToSquare: z.boolean().default(false),
    /** Where tapped (rewritten) graphs are cached; default `.mmvp-cache/` next to the ONNX file. */
    cacheDir: z.string().optional(),
    /**
     * Gets the one-line warning of an 8-bit file this CPU computes inexactly (full-range u8s8 weights on
     * x86 without VNNI); without it the warning goes to stderr once. Loading never fails for it.
     */
    onWarning: z.function().args(z.string()).returns(z.void()).optional(),
  })
  .strict();

/** Options of createSiglipVisionEncoder and createSiglipTextEncoder (defaults filled in by the schema). */
export type SiglipEncoderOptions = z.input<typeof siglipEncoderOptionsSchema>;
