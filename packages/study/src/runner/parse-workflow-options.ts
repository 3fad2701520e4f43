import { InvalidArgumentError, formatZodIssues, listChoices } from '@mmvp/core';
import { z, type ZodTypeAny } from 'zod';

// The one validation path of the workflow contract (issue 26): every study workflow passes its options
// through parseWorkflowOptions first, before it touches the disk, and every bad option (the schema's
// checks and the checks that need more than the schema) is one InvalidArgumentError.

/**
 * Validates a workflow's options against its zod schema and returns them with defaults applied. A
 * failure is one {@link InvalidArgumentError} whose message is one line naming the workflow, every
 * failing key and, where zod knows them, the valid choices (an enum's values; the valid keys for an
 * unknown key); its `cause` is the ZodError.
 *
 * @example
 * ```ts
 * parseWorkflowOptions('exportMmvp', exportMmvpOptionsSchema, { data: 'MMVP', to: 'csv', out: 'x' });
 * // InvalidArgumentError: exportMmvp options are invalid: to: 'csv' is not valid; choose 'vlmevalkit', 'hf'
 * ```
 */
export function parseWorkflowOptions<Schema extends ZodTypeAny>(workflow: string, schema: Schema, options: unknown): z.output<Schema> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw new InvalidArgumentError(`${workflow} options are invalid: ${describeIssues(schema, parsed.error, options)}`, { cause: parsed.error });
  return parsed.data;
}

/**
 * The issues as formatZodIssues renders them; an unknown key also lists the keys valid where it was
 * found, and a refused text, number or boolean is quoted as given.
 */
function describeIssues(schema: ZodTypeAny, error: z.ZodError, options: unknown): string {
  return error.issues
    .map((issue) => {
      const line = formatZodIssues(new z.ZodError([issue]));
      if (issue.code === 'unrecognized_keys') {
        const object = unwrap(schemaAt(schema, issue.path));
        return object instanceof z.ZodObject ? `${line} (valid keys: ${listChoices(Object.keys(object.shape as object))})` : line;
      }
      if (issue.code === 'invalid_enum_value' || issue.path.length === 0) return line;
      const given = valueAt(options, issue.path);
      if (!['string', 'number', 'boolean'].includes(typeof given) || line.includes(`'${String(given)}'`)) return line; // a message may quote the value itself
      return `${line} (given ${JSON.stringify(given)})`;
    })
    .join('; ');
}

/** The value at an issue's path in the options given, if there is one. */
function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** The schema without optional, nullable, default and refinement wrappers. */
function unwrap(schema: ZodTypeAny | undefined): ZodTypeAny | undefined {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodEffects) current = current.innerType();
    else if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) current = current._def.innerType as ZodTypeAny;
    else return current;
  }
}

/** The part of an object schema at an issue's path (object keys and array items), if it can be followed. */
function schemaAt(schema: ZodTypeAny, path: readonly (string | number)[]): ZodTypeAny | undefined {
  let current: ZodTypeAny | undefined = schema;
  for (const key of path) {
    const base = unwrap(current);
    if (base instanceof z.ZodObject) current = (base.shape as Record<string, ZodTypeAny>)[String(key)];
    else if (base instanceof z.ZodArray) current = base.element as ZodTypeAny;
    else return undefined;
  }
  return current;
}
