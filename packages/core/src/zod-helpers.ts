import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { FileFormatError, InvalidConfigError } from './errors';

/** Renders zod issues as `key.path: message` lines, listing valid choices where zod knows them. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      if (issue.code === 'invalid_enum_value') message = `'${String(issue.received)}' is not valid; choose ${issue.options.map((o) => `'${String(o)}'`).join(', ')}`;
      return `${path}: ${message}`;
    })
    .join('; ');
}

/**
 * Parses `value` with `schema`; a failure becomes an InvalidConfigError that names the source file
 * and every failing key.
 */
export function parseWithSchema<S extends z.ZodTypeAny>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidConfigError(`${source} is invalid: ${formatZodIssues(result.error)}`, { cause: result.error });
  return result.data;
}

/** Reads a JSON file, then validates it; errors name the file (and the key). */
export async function readJsonFile<S extends z.ZodTypeAny>(path: string, schema: S): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new FileFormatError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidConfigError(`${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseWithSchema(schema, json, path);
}
