import type { ZodTypeAny } from 'zod';
import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { describeNumber, fieldShape } from './field-schema';

/**
 * The one parser of flag values: text -> number, choice, list or text, then checked by the option's
 * own schema field (the workflow's, so the CLI adds no second rule). A bad value is one line naming
 * the flag, what it must be (the schema's bounds, the valid choices) and the value given.
 */
export function parseFlagValue(field: ZodTypeAny, flag: string, text: string): unknown {
  const shape = fieldShape(field);
  const value = shape.kind === 'number' ? (text.trim() === '' ? Number.NaN : Number(text)) : shape.kind === 'list' ? splitList(text) : text;
  const checked = field.safeParse(value);
  if (checked.success) return value; // the schema applies defaults and transforms itself
  if (shape.kind === 'number') throw new InvalidArgumentError(`${flag} must be ${describeNumber(shape.base)}, got '${text}'`);
  if (shape.kind === 'enum') throw new InvalidArgumentError(`${flag} '${text}' is not valid; valid choices: ${listChoices(shape.choices ?? [])}`);
  const item = shape.kind === 'list' ? fieldShape((shape.base as unknown as { element: ZodTypeAny }).element) : undefined;
  if (item?.kind === 'enum') {
    const unknown = (value as string[]).filter((entry) => !item.choices?.includes(entry));
    throw new InvalidArgumentError(`${flag} ${unknown.map((entry) => `'${entry}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not valid; valid choices: ${listChoices(item.choices ?? [])}`);
  }
  throw new InvalidArgumentError(`${flag} ${JSON.stringify(text)} is not valid: ${checked.error.issues[0]?.message ?? 'refused'}`);
}

/** A comma-separated list flag: items trimmed, empty items dropped. */
function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
