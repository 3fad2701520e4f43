import { z, type ZodTypeAny } from 'zod';

/** What a flag's value is, read from its schema field. */
export interface FieldShape {
  readonly kind: 'number' | 'enum' | 'boolean' | 'list' | 'text';
  /** The field without optional / default / effects wrappers (it keeps the checks: int, min, max, regex). */
  readonly base: ZodTypeAny;
  /** The schema's default, shown in --help. */
  readonly defaultValue?: unknown;
  readonly required: boolean;
  readonly choices?: readonly string[];
}

/** Reads a zod field: its kind, checks, default and whether it is required. */
export function fieldShape(field: ZodTypeAny): FieldShape {
  let base = field;
  let defaultValue: unknown;
  let required = true;
  for (;;) {
    if (base instanceof z.ZodOptional || base instanceof z.ZodNullable) required = false;
    else if (base instanceof z.ZodDefault) {
      required = false;
      defaultValue = base._def.defaultValue();
    } else if (!(base instanceof z.ZodEffects)) break;
    base = base instanceof z.ZodEffects ? base.innerType() : (base._def as { innerType: ZodTypeAny }).innerType;
  }
  const kind = base instanceof z.ZodNumber ? 'number' : base instanceof z.ZodEnum ? 'enum' : base instanceof z.ZodBoolean ? 'boolean' : base instanceof z.ZodArray ? 'list' : 'text';
  return { kind, base, defaultValue, required, ...(base instanceof z.ZodEnum ? { choices: base.options as string[] } : {}) };
}

/** The field `key` of an object schema (through refinements and optional wrappers), if the schema has it. */
export function fieldOf(schema: ZodTypeAny | undefined, key: string): ZodTypeAny | undefined {
  const object = schema === undefined ? undefined : fieldShape(schema).base;
  return object instanceof z.ZodObject ? (object.shape as Record<string, ZodTypeAny>)[key] : undefined;
}

/** A number field's checks in words: 'an integer from 64 to 1024', 'a number in [-1, 1]', 'an integer >= 1'. */
export function describeNumber(base: ZodTypeAny): string {
  const checks = base instanceof z.ZodNumber ? base._def.checks : [];
  const integer = checks.some((check) => check.kind === 'int');
  let low: string | undefined;
  let high: string | undefined;
  for (const check of checks) {
    if (check.kind === 'min') low = integer && !check.inclusive ? `>= ${check.value + 1}` : `${check.inclusive ? '>=' : '>'} ${check.value}`;
    if (check.kind === 'max') high = integer && !check.inclusive ? `<= ${check.value - 1}` : `${check.inclusive ? '<=' : '<'} ${check.value}`;
  }
  const noun = integer ? 'an integer' : 'a number';
  if (low !== undefined && high !== undefined) {
    const [from, to] = [low.split(' ')[1], high.split(' ')[1]];
    return integer ? `${noun} from ${from} to ${to}` : `${noun} in ${low.startsWith('>=') ? '[' : '('}${from}, ${to}${high.startsWith('<=') ? ']' : ')'}`;
  }
  return [noun, low, high].filter(Boolean).join(' ');
}
