import { z } from 'zod';
import { QUESTION_STYLES, type QuestionStyle } from '@mmvp/decoder';
import { endpointConfigSchema } from '@mmvp/endpoint';

/**
 * `mmvp ask`'s options as a zod schema: one question to a pipeline (`Pipeline.ask`, which takes a plain
 * request) or to an endpoint (askThroughEndpoint). The one check of ask's values.
 */
export const askOptionsSchema = z
  .object({
    pipeline: z.string().min(1).optional(),
    endpoint: endpointConfigSchema.omit({ kind: true }).optional(),
    image: z.string().min(1),
    question: z.string().trim().min(1, 'empty; give the question text'),
    options: z.string().optional(),
    prompt: z.enum(QUESTION_STYLES as [QuestionStyle, ...QuestionStyle[]]).optional(),
    maxNewTokens: z.number().int().positive().optional(),
    /** 0 = greedy; > 0 samples with the config's top-p. */
    temperature: z.number().min(0).optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/** What `mmvp ask` passes on. */
export type AskOptions = z.input<typeof askOptionsSchema>;
