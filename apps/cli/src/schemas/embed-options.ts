import { z } from 'zod';
import { InvalidArgumentError } from '@mmvp/core';
import { executionProviders, modelDtypes } from '@mmvp/onnx';

/**
 * embedFeatures' options as a zod schema (@mmvp/study takes a plain interface there; this is the one
 * check of `mmvp embed`'s values, with its flag rules in flag words). Candidate to move into @mmvp/study.
 */
export const embedOptionsSchema = z
  .object({
    model: z.string().min(1),
    images: z.array(z.string()).optional(),
    texts: z.array(z.string()).optional(),
    tokens: z.enum(['patch', 'cls', 'all']).optional(),
    pooled: z.boolean().optional(),
    batchSize: z.number().int().positive().default(8),
    processor: z.enum(['own', 'clip']).default('own'),
    clipModel: z.string().min(1).optional(),
    padToSquare: z.boolean().optional(),
    cropRounding: z.enum(['floor', 'round']).default('floor'),
    executionProvider: z.enum(executionProviders).default('cpu'),
    dtype: z.enum(modelDtypes).default('fp32'),
    cacheDir: z.string().min(1).optional(),
    /** The tap flags (--layer, --tap), checked here against --pooled. */
    layer: z.number().int().optional(),
    tap: z.enum(['prenorm', 'last']).optional(),
  })
  .superRefine((options, context) => {
    const refuse = (message: string) => context.addIssue({ code: z.ZodIssueCode.custom, message });
    const images = options.images?.length ?? 0;
    const texts = options.texts?.length ?? 0;
    if (images === 0 && texts === 0) refuse('give --image FILE... or --text "..."');
    if (images > 0 && texts > 0) refuse('give --image or --text, not both (they go to different .npy files)');
    if (options.processor === 'clip' && options.clipModel === undefined) refuse('--processor clip needs --clip-model <dir> (the CLIP folder whose preprocessor_config.json DINOv2 then uses)');
    const tokenFlag = options.layer !== undefined ? 'layer' : options.tap !== undefined ? 'tap' : options.tokens !== undefined ? 'tokens' : undefined;
    if (options.pooled && tokenFlag !== undefined) refuse(`--pooled gives pooled embeddings [B, E]; --${tokenFlag} picks token features [B, T, D]; give one or the other`);
  });

/** The embed options checked by {@link embedOptionsSchema}; the first problem is one line in flag words. */
export function parseEmbedOptions(options: unknown): z.output<typeof embedOptionsSchema> {
  const parsed = embedOptionsSchema.safeParse(options);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]!.message);
  return parsed.data;
}
