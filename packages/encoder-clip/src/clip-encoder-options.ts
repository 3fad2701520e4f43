import { z } from 'zod';
import { executionProviders, modelDtypes } from '@mmvp/onnx';

/** Options of createClipVisionEncoder / createClipTextEncoder (also the pipeline config's `options`). */
export const clipEncoderOptionsSchema = z
  .object({
    /** Local Hugging Face model folder (config.json, preprocessor_config.json, onnx/vision_model.onnx). */
    modelPath: z.string().min(1),
    executionProvider: z.enum(executionProviders).default('cpu'),
    /** Images per session.run call; results do not depend on it. */
    batchSize: z.number().int().positive().default(8),
    /** ONNX weight variant by file suffix ('fp32' = no suffix, 'fp16' = _fp16, ...). */
    dtype: z.enum(modelDtypes).default('fp32'),
    intraOpThreads: z.number().int().nonnegative().optional(),
    /** LLaVA-1.5's `image_aspect_ratio: pad`: pad to a square with the mean colour before the processor. */
    padToSquare: z.boolean().default(false),
    /** Center-crop offset: 'floor' (Hugging Face processors) or 'round' (OpenAI CLIP / torchvision). */
    cropRounding: z.enum(['floor', 'round']).default('floor'),
    /** Where tapped (rewritten) graphs are cached; default `.mmvp-cache/` next to the ONNX file. */
    cacheDir: z.string().optional(),
    /**
     * Gets the one-line warning of an 8-bit file this CPU computes inexactly (full-range u8s8 weights on
     * x86 without VNNI); without it the warning goes to stderr once. Loading never fails for it.
     */
    onWarning: z.function().args(z.string()).returns(z.void()).optional(),
  })
  .strict();

/** Options of createClipVisionEncoder and createClipTextEncoder (defaults filled in by the schema). */
export type ClipEncoderOptions = z.input<typeof clipEncoderOptionsSchema>;
