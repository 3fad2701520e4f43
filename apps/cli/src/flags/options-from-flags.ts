import { Option } from 'commander';
import { InvalidArgumentError } from '@mmvp/core';
import { flagName, isFlag, isGroup, type FlagSpec, type FlagTable } from './flag-table';

/** The value commander stored for a flag (`--batch-size` -> batchSize, `--no-report` -> report). */
function givenValue(values: Record<string, unknown>, spec: FlagSpec): unknown {
  return values[new Option(spec.flag).attributeName()];
}

/**
 * The options object of a table from commander's parsed values: each flag given lands on its key
 * (flags not given are left out, so the workflow's schema applies its defaults); a group is built when
 * its anchor flag is given, and a member given without the anchor is one line naming both.
 */
export function optionsFromFlags<Options>(table: FlagTable<Options>, values: Record<string, unknown>): Partial<Options> {
  const options: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(table) as [string, unknown][]) {
    if (isFlag(entry)) {
      const value = givenValue(values, entry);
      if (value !== undefined) options[key] = value;
    } else if (isGroup(entry)) {
      const inner = optionsFromFlags(entry.group, values) as Record<string, unknown>;
      const anchor = entry.anchor === undefined ? undefined : (entry.group as Record<string, unknown>)[entry.anchor];
      if (isFlag(anchor) && inner[entry.anchor!] === undefined) {
        const stray = Object.entries(entry.group).find(([, member]) => isFlag(member) && givenValue(values, member) !== undefined);
        if (stray !== undefined) {
          const given = flagName(stray[1] as FlagSpec);
          throw new InvalidArgumentError(entry.hint === undefined ? `${given} needs ${flagName(anchor)}` : `${given} applies only with ${flagName(anchor)} ${entry.hint}`);
        }
      } else if (Object.keys(inner).length > 0) {
        const missing = entry.needs?.map((name) => entry.group[name]).find((member) => isFlag(member) && givenValue(values, member) === undefined);
        if (isFlag(missing) && isFlag(anchor)) throw new InvalidArgumentError(`${flagName(anchor)} needs ${missing.flag.replace(/<(.*)>/, (_, name: string) => name.toUpperCase())}`);
        options[key] = inner;
      }
    }
  }
  return options as Partial<Options>;
}
