import { InvalidArgumentError } from '@mmvp/core';

/** Parses a count flag (`--batch-size 8`): a whole number >= 1, else one line naming the flag and the value given. */
export function positiveIntegerOption(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got '${value}'`);
  return number;
}
