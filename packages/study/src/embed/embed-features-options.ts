import { z } from 'zod';
import type { FeatureTap } from '@mmvp/core';
import { executionProviders, modelDtypes } from '@mmvp/onnx';
import type { EmbedEvent } from './embed-events';

/** Where token features are read: a hidden_states index, DINOv2's pre-LayerNorm output, or last_hidden_state. */
const featureTapSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('layer'), layer: z.number().int() }).strict(),
  z.object({ kind: z.literal('prenorm') }).strict(),
  z.object({ kind: z.literal('last') }).strict(),
]);

/**
 * Options of {@link embedFeatures}, checked with zod (unknown keys are refused); the CLI's `mmvp embed`
 * declares its flags from it. The defaults are the study's: CLIP `hidden_states[-2]`, DINOv2 pre-LayerNorm.
 */
export const embedFeaturesOptionsSchema = z
  .object({
    /** A Hugging Face model folder (config.json, preprocessor_config.json, onnx/). */
    model: z.string().min(1),
    /** Image files, or texts (CLIP and SigLIP); exactly one of the two. */
    images: z.array(z.string().min(1)).optional(),
    texts: z.array(z.string()).optional(),
    /** Token features at this tap (default: CLIP layer -2, DINOv2 prenorm); not with `pooled`. */
    tap: featureTapSchema.optional(),
    /** Which tokens of the tap: 'patch' (CLS dropped, the default), 'cls' or 'all'; not with `pooled`. */
    tokens: z.enum(['patch', 'cls', 'all']).optional(),
    /** Pooled, projected embeddings [B, E] (CLIP image_embeds, SigLIP and DINOv2 pooler_output) instead of token features. */
    pooled: z.boolean().optional(),
    /** Images per onnxruntime call. */
    batchSize: z.number().int().positive().default(8),
    /** DINOv2 only: its own processor, or the CLIP processor of `clipModel` (as MMVP's MoF). */
    processor: z.enum(['own', 'clip']).default('own'),
    clipModel: z.string().min(1).optional(),
    /** Pad images to a square with the mean colour first (LLaVA-1.5 image_aspect_ratio pad). */
    padToSquare: z.boolean().optional(),
    /** Center-crop offset: 'floor' (Hugging Face) or 'round' (OpenAI CLIP). */
    cropRounding: z.enum(['floor', 'round']).default('floor'),
    executionProvider: z.enum(executionProviders).default('cpu'),
    /** Image encoders' weight variant by file suffix ('fp32' = no suffix, 'fp16', 'int8', 'uint8', 'quantized', 'q4', ...). */
    dtype: z.enum(modelDtypes).default('fp32'),
    /** Where tapped ONNX graphs are cached (default .mmvp-cache/ next to the ONNX file). */
    cacheDir: z.string().min(1).optional(),
    /** Stops before the next batch of images. */
    abortSignal: z.custom<AbortSignal>((value) => value === undefined || value instanceof AbortSignal).optional(),
    /** Receives what was resolved (one line each), warnings, and images encoded (typed in {@link EmbedFeaturesOptions}). */
    onEvent: z.function().optional(),
  })
  .strict()
  .superRefine((options, context) => {
    const refuse = (path: string, message: string) => context.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    const images = options.images?.length ?? 0;
    const texts = options.texts?.length ?? 0;
    if (images === 0 && texts === 0) refuse('images', 'give images (files) or texts');
    if (images > 0 && texts > 0) refuse('texts', 'give images or texts, not both (they are different embeddings)');
    if (options.processor === 'clip' && options.clipModel === undefined) refuse('clipModel', "processor 'clip' needs clipModel (the CLIP folder whose preprocessor_config.json DINOv2 then uses)");
    const tokenKey = options.tap !== undefined ? 'tap' : options.tokens !== undefined ? 'tokens' : undefined;
    if (options.pooled && tokenKey !== undefined) refuse(tokenKey, `pooled gives pooled embeddings [B, E]; ${tokenKey} picks token features [B, T, D]; give one or the other`);
  });

/** What to embed and how: the schema's input, with read-only lists, a typed tap and a typed event callback. */
export type EmbedFeaturesOptions = Omit<z.input<typeof embedFeaturesOptionsSchema>, 'images' | 'texts' | 'tap' | 'onEvent'> & {
  /** Image files, or texts (CLIP and SigLIP); exactly one of the two. */
  readonly images?: readonly string[];
  readonly texts?: readonly string[];
  /** Token features at this tap (default: CLIP layer -2, DINOv2 prenorm); not with `pooled`. */
  readonly tap?: FeatureTap;
  /** Called with what was resolved (one line each), warnings, and images encoded. */
  readonly onEvent?: (event: EmbedEvent) => void;
};
