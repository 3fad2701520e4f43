import { z } from 'zod';

/** Settings of {@link createChatServer}, zod-checked. */
export const serveOptionsSchema = z
  .object({
    /** The model name `/v1/models` lists and requests must name. */
    modelId: z.string().min(1),
    /** When set, every request needs `Authorization: Bearer <token>`. */
    bearerToken: z.string().min(1).optional(),
    /** How long an idle pipeline waits for more requests before it starts a batch (0: at once; requests that come while a batch runs always join the next). */
    batchWindowMs: z.number().min(0).default(0),
    /** Questions per pipeline batch at most. */
    maxBatchSize: z.number().int().positive().default(8),
    /** Largest request body in bytes (larger: HTTP 413). */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(25 * 1024 * 1024),
    /** Largest image in bytes (larger: HTTP 413). */
    maxImageBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    /** A folder whose files `file:` image URLs may name; omitted: `file:` URLs are refused. */
    fileRoot: z.string().min(1).optional(),
    /** `system_fingerprint` of every reply (the pipeline's identity). */
    systemFingerprint: z.string().min(1).optional(),
  })
  .strict();

/** Caller input of {@link serveOptionsSchema}. */
export type ServeOptions = z.input<typeof serveOptionsSchema>;
