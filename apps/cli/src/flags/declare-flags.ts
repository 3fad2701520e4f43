import { Option, type Command } from 'commander';
import type { ZodTypeAny } from 'zod';
import { listChoices } from '@mmvp/core';
import { describeNumber, fieldOf, fieldShape } from './field-schema';
import { flagName, isFlag, isGroup, type FlagTable } from './flag-table';
import { parseFlagValue } from './parse-flag-value';

/**
 * Declares a table's flags on a command: help text from the table, the valid choices and the default
 * from the schema, and the one parser (parseFlagValue) on each value. Groups declare their members.
 */
export function declareFlags<Options>(command: Command, table: FlagTable<Options>, schema?: ZodTypeAny, inGroup = false): Command {
  for (const [key, entry] of Object.entries(table) as [string, unknown][]) {
    if (isGroup(entry)) declareFlags(command, entry.group, entry.schema ?? fieldOf(schema, key), true); // a group's members are never mandatory: the group is optional
    if (!isFlag(entry)) continue;
    const field = entry.schema ?? fieldOf(schema, key);
    const shape = field === undefined ? undefined : fieldShape(field);
    const option = new Option(entry.flag, entry.description + helpSuffix(shape));
    if (entry.cliDefault !== undefined) option.default(field === undefined ? entry.cliDefault : parseFlagValue(field, flagName(entry), entry.cliDefault), entry.cliDefault);
    if (!inGroup && (entry.required ?? (shape?.required === true && entry.cliDefault === undefined))) option.makeOptionMandatory();
    if (field !== undefined && shape?.kind !== 'boolean') {
      const variadic = entry.flag.includes('...');
      option.argParser((text: string, previous: unknown) => {
        const value = parseFlagValue(variadic ? (shape!.base as unknown as { element: ZodTypeAny }).element : field, flagName(entry), text);
        return variadic ? [...(Array.isArray(previous) && previous !== option.defaultValue ? previous : []), value] : value;
      });
    }
    command.addOption(option);
  }
  return command;
}

/** ` (an integer from 64 to 1024; default: 224)`, ` (choices: 'a' or 'b'; default: 'a')` from the schema, when it has any. */
function helpSuffix(shape: ReturnType<typeof fieldShape> | undefined): string {
  if (shape === undefined) return '';
  const rule = shape.kind === 'number' ? describeNumber(shape.base) : '';
  const parts = [
    ...(/\d/.test(rule) ? [rule] : []),
    ...(shape.choices === undefined ? [] : [`choices: ${listChoices(shape.choices)}`]),
    ...(shape.defaultValue === undefined || shape.kind === 'boolean' || typeof shape.defaultValue === 'object'
      ? []
      : [`default: ${typeof shape.defaultValue === 'string' ? `'${shape.defaultValue}'` : shape.defaultValue}`]),
  ];
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}
