import { z } from 'zod';
import { InvalidArgumentError } from '@mmvp/core';
import { SUPPORTED_SIZES_MAX, SUPPORTED_SIZES_MIN, SYNTH_IMAGE_FORMATS, SYNTH_SPLITS, type WriteSynthOptions } from '@mmvp/synth';

const count = (max: number) => z.number().int().min(1).max(max);

/**
 * writeSynth's options as a zod schema (@mmvp/synth takes a plain interface; this is the one check of
 * `mmvp synth`'s values, and the split rules in flag words). Candidate to move into @mmvp/synth.
 */
export const synthOptionsSchema = z
  .object({
    out: z.string().min(1),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    pairsPerPattern: count(100_000).optional(),
    pairs: count(900_000).optional(),
    size: z.number().int().min(SUPPORTED_SIZES_MIN).max(SUPPORTED_SIZES_MAX).default(224),
    split: z.enum(SYNTH_SPLITS as ['eval', 'train']).default('eval'),
    count: count(10_000_000).optional(),
    imageFormat: z.enum(SYNTH_IMAGE_FORMATS).optional(),
    contactSheets: z.boolean().default(true),
    overwrite: z.boolean().default(false),
    onProgress: z.function().optional(),
  })
  .strict()
  .superRefine((options, context) => {
    const refuse = (message: string) => context.addIssue({ code: z.ZodIssueCode.custom, message });
    if (options.split === 'train' && options.pairs !== undefined) refuse('--pairs applies to --split eval; for the train split use --count');
    if (options.split === 'eval' && options.count !== undefined) refuse('--count applies to --split train; for the eval split use --pairs-per-pattern');
    if (options.split === 'train' && options.pairsPerPattern !== undefined) refuse('--pairs-per-pattern applies to --split eval; for the train split use --count');
  }) satisfies z.ZodType<WriteSynthOptions, z.ZodTypeDef, unknown>;

/** The synth options checked by {@link synthOptionsSchema}; the first problem is one line in flag words. */
export function parseSynthOptions(options: unknown): z.output<typeof synthOptionsSchema> {
  const parsed = synthOptionsSchema.safeParse(options);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]!.message);
  return parsed.data;
}
