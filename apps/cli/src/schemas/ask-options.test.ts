import { describe, expect, it } from 'vitest';
import { parseFlagValue } from '../flags/parse-flag-value';
import { askOptionsSchema } from './ask-options';

// `mmvp ask`'s flag values, in process, through the one flag parser (apps/cli/test/ask.test.ts runs one of them
// through the built CLI): each bad value is one line naming the flag, the rule and the value given.
describe("mmvp ask's flags, checked by its option schema", () => {
  const field = askOptionsSchema.shape;
  it.each([
    [field.question, '--question', '', '--question "" is not valid: empty; give the question text'],
    [field.question, '--question', '   ', '--question "   " is not valid: empty; give the question text'],
    [field.temperature, '--temperature', '-1', "--temperature must be a number >= 0, got '-1'"],
    [field.maxNewTokens, '--max-new-tokens', '-1', "--max-new-tokens must be an integer >= 1, got '-1'"],
    [field.maxNewTokens, '--max-new-tokens', '2.5', "--max-new-tokens must be an integer >= 1, got '2.5'"],
    [field.seed, '--seed', '1.5', "--seed must be an integer, got '1.5'"],
    [field.prompt, '--prompt', 'chatty', "--prompt 'chatty' is not valid; valid choices: 'original', 'lmms' or 'cambrian'"],
  ])('%#: %s %j', (schema, flag, value, message) => {
    expect(() => parseFlagValue(schema, flag, value)).toThrow(message);
  });
  it('passes good values as the schema reads them', () => {
    expect(parseFlagValue(field.temperature, '--temperature', '1.5')).toBe(1.5);
    expect(parseFlagValue(field.maxNewTokens, '--max-new-tokens', '3')).toBe(3);
    expect(parseFlagValue(field.prompt, '--prompt', 'lmms')).toBe('lmms');
  });
});
