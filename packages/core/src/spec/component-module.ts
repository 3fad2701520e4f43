import type { z } from 'zod';

/**
 * What a component package default-exports so a pipeline config can name it by package name:
 * `{ "use": "@mmvp/encoder-clip", "options": {...} }` -> `import(use).default.create(options)`.
 */
export interface ComponentModule<Kind extends string, Instance> {
  readonly specificationVersion: 'v1';
  readonly kind: Kind;
  readonly optionsSchema: z.ZodTypeAny;
  /** Creates the component from its (validated) options. */
  create(options: unknown): Promise<Instance>;
}
