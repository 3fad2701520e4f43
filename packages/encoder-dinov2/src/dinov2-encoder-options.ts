import { z } from 'zod';
import { executionProviders, modelDtypes } from '@mmvp/onnx';

/** Options of createDinov2Encoder (also the pipeline config's `options`). */
export const dinov2EncoderOptionsSchema = z
  .object({
    /** Local Hugging Face model folder (config.json, preprocessor_config.json, onnx/model.onnx). */
    modelPath: z.string().min(1),
    /**
     * 'own': DINOv2's BitImageProcessor (ImageNet mean/std, its own resize and crop). 'clip': the CLIP
     * model's processor (`clipModelPath`), which is what MMVP's Mixture-of-Features fed DINOv2.
     */
    processor: z.enum(['own', 'clip']).default('own'),
    /** The CLIP folder whose preprocessor_config.json to use with `processor: 'clip'`. */
    clipModelPath: z.string().optional(),
    executionProvider: z.enum(executionProviders).default('cpu'),
    batchSize: z.number().int().positive().default(8),
    dtype: z.enum(modelDtypes).default('fp32'),
    intraOpThreads: z.number().int().nonnegative().optional(),
    padToSquare: z.boolean().default(false),
    cropRounding: z.enum(['floor', 'round']).default('floor'),
    cacheDir: z.string().optional(),
    /**
     * Gets the one-line warning of an 8-bit file this CPU computes inexactly (full-range u8s8 weights on
     * x86 without VNNI); without it the warning goes to stderr once. Loading never fails for it.
     */
    onWarning: z.function().args(z.string()).returns(z.void()).optional(),
  })
  .strict()
  .refine((o) => o.processor !== 'clip' || o.clipModelPath !== undefined, {
    message: "processor 'clip' needs clipModelPath (the CLIP model folder whose preprocessor_config.json to use)",
    path: ['clipModelPath'],
  });

/** Options of createDinov2Encoder (defaults filled in by the schema). */
export type Dinov2EncoderOptions = z.input<typeof dinov2EncoderOptionsSchema>;
