import type { ZodTypeAny } from 'zod';

/** One option key given as a command-line flag. */
export interface FlagSpec {
  /** Commander's syntax: `--batch-size <n>`, `--resume`, `--image <files...>`, `--no-report`. */
  readonly flag: string;
  readonly description: string;
  /** The value's schema where the called function has none (else its options schema's field is used). */
  readonly schema?: ZodTypeAny;
  /** Overrides the schema: a key the schema requires may still be optional on the command line (a CLI default, or a second route). */
  readonly required?: boolean;
  /** A default of the command line itself (the schema's default is shown, not duplicated). */
  readonly cliDefault?: string;
}

/** An option key that is no flag, with the reason (the command sets it, or it is for library callers only). */
export interface NotAFlag {
  readonly notAFlag: string;
}

/** A nested options object (`queue`, `endpoint`) whose keys are flags too; it is passed when its anchor flag is given. */
export interface FlagGroup<Inner> {
  readonly group: FlagTable<Inner>;
  /** The key whose flag turns the group on (`url` for --queue); without one, any member given turns it on. */
  readonly anchor?: keyof Inner & string;
  /** Said when a member is given without the anchor: `applies only with --queue <hint>`; default: `needs --anchor`. */
  readonly hint?: string;
  /** Members that must be given with the anchor (`--endpoint needs --endpoint-model`). */
  readonly needs?: readonly (keyof Inner & string)[];
  /** The group's own schema, where the command's has none for it. */
  readonly schema?: ZodTypeAny;
}

/** What one option key maps to: a flag, a nested group of flags (objects only), or no flag with a reason. */
export type FlagEntry<Value> = FlagSpec | NotAFlag | GroupOf<NonNullable<Value>>;

type GroupOf<Value> = Value extends (...args: never[]) => unknown ? never : Value extends readonly unknown[] ? never : Value extends object ? FlagGroup<Value> : never;

/**
 * Every option key of a workflow mapped to its flag, or to `notAFlag(reason)`: a key left out or a
 * stray key is a type error (as vitest's `CLIOptions<Config>`), so a new option cannot silently miss its flag.
 */
export type FlagTable<Options> = { readonly [Key in keyof Options]-?: FlagEntry<Options[Key]> };

/** An option key that is no flag, and why. */
export function notAFlag(reason: string): NotAFlag {
  return { notAFlag: reason };
}

/** A nested options object given by flags (`queue: group(queueFlags, 'url')`). */
export function group<Inner>(table: FlagTable<Inner>, settings: Omit<FlagGroup<Inner>, 'group'> = {}): FlagGroup<Inner> {
  return { group: table, ...settings };
}

/** Whether a table entry is a flag. */
export function isFlag(entry: unknown): entry is FlagSpec {
  return typeof entry === 'object' && entry !== null && 'flag' in entry;
}

/** Whether a table entry is a nested group. */
export function isGroup(entry: unknown): entry is FlagGroup<Record<string, unknown>> {
  return typeof entry === 'object' && entry !== null && 'group' in entry;
}

/** The flag's name alone: `--batch-size` of `--batch-size <n>`. */
export function flagName(spec: FlagSpec): string {
  return spec.flag.split(/[ ,]/)[0]!;
}
