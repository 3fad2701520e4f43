import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { declareFlags } from './declare-flags';
import { group, notAFlag, type FlagTable } from './flag-table';
import { optionsFromFlags } from './options-from-flags';
import { parseFlagValue } from './parse-flag-value';

const schema = z
  .object({
    data: z.string().min(1),
    batchSize: z.number().int().positive().default(8),
    ratio: z.number().min(-1).max(1).optional(),
    labels: z.enum(['original', 'corrected']).default('original'),
    models: z.array(z.string().min(1)).optional(),
    name: z
      .string()
      .regex(/^[a-z]+$/, 'use letters only')
      .optional(),
    queue: z.object({ url: z.string().min(1), queueName: z.string().default('mmvp'), shardSize: z.number().int().positive().optional() }).optional(),
    abortSignal: z.instanceof(AbortSignal).optional(),
  })
  .strict();
type Options = z.input<typeof schema>;
type Queue = NonNullable<Options['queue']>;

const table: FlagTable<Options> = {
  data: { flag: '--data <dir>', description: 'benchmark folder' },
  batchSize: { flag: '--batch-size <n>', description: 'images per call' },
  ratio: { flag: '--ratio <r>', description: 'a cosine' },
  labels: { flag: '--labels <set>', description: 'label set' },
  models: { flag: '--models <list>', description: 'models to run' },
  name: { flag: '--name <name>', description: 'a name' },
  queue: group<Queue>(
    {
      url: { flag: '--queue <url>', description: 'Redis' },
      queueName: { flag: '--queue-name <name>', description: 'queue name' },
      shardSize: { flag: '--shard-size <n>', description: 'questions per job' },
    },
    { anchor: 'url', hint: "(a distributed run's jobs)" },
  ),
  abortSignal: notAFlag('the interrupt handler passes it'),
};

/** Parses argv with the table's flags and returns the options object, or throws the first error. */
function parse(...argv: string[]): Partial<Options> {
  let options: Partial<Options> = {};
  const command = declareFlags(new Command('test').exitOverride(), table, schema).action((values: Record<string, unknown>) => {
    options = optionsFromFlags(table, values);
  });
  command.parse(argv, { from: 'user' });
  return options;
}

describe('a flag table is checked by the compiler against the options it maps', () => {
  it('a missing key, a stray key or a flag for a nested object without a group are type errors', () => {
    const { abortSignal: _abortSignal, ...missing } = table;
    // @ts-expect-error: abortSignal is an option of the workflow and has no entry (neither a flag nor notAFlag)
    const incomplete: FlagTable<Options> = missing;
    // @ts-expect-error: stray is no option of the workflow
    const stray: FlagTable<Options> = { ...table, stray: { flag: '--stray', description: 'not an option' } };
    // @ts-expect-error: a group's table must list every key of the nested object (shardSize is missing)
    const partialGroup: FlagTable<Options> = { ...table, queue: group<Queue>({ url: { flag: '--queue <url>', description: '' }, queueName: notAFlag('') }) };
    // @ts-expect-error: a plain value (data: string) cannot be a group
    const groupOnText: FlagTable<Options> = { ...table, data: group<Queue>({ url: notAFlag(''), queueName: notAFlag(''), shardSize: notAFlag('') }) };
    expect([incomplete, stray, partialGroup, groupOnText].every((value) => typeof value === 'object')).toBe(true);
  });
});

describe('parseFlagValue: the one parser, checked by the option schema', () => {
  it('numbers, choices, lists and text pass when the schema field accepts them', () => {
    expect(parseFlagValue(schema.shape.batchSize, '--batch-size', '16')).toBe(16);
    expect(parseFlagValue(schema.shape.ratio, '--ratio', '-0.5')).toBe(-0.5);
    expect(parseFlagValue(schema.shape.labels, '--labels', 'corrected')).toBe('corrected');
    expect(parseFlagValue(schema.shape.models, '--models', 'a, b,,c')).toEqual(['a', 'b', 'c']);
  });

  it('a bad value is one line naming the flag, the rule from the schema and the value given', () => {
    expect(() => parseFlagValue(schema.shape.batchSize, '--batch-size', '0')).toThrow("--batch-size must be an integer >= 1, got '0'");
    expect(() => parseFlagValue(schema.shape.batchSize, '--batch-size', '2.5')).toThrow("--batch-size must be an integer >= 1, got '2.5'");
    expect(() => parseFlagValue(schema.shape.batchSize, '--batch-size', '')).toThrow("--batch-size must be an integer >= 1, got ''");
    expect(() => parseFlagValue(schema.shape.ratio, '--ratio', '1.5')).toThrow("--ratio must be a number in [-1, 1], got '1.5'");
    expect(() => parseFlagValue(z.number().int().min(64).max(1024), '--size', 'big')).toThrow("--size must be an integer from 64 to 1024, got 'big'");
    expect(() => parseFlagValue(z.number().gt(0).lt(1), '--power', '1')).toThrow("--power must be a number in (0, 1), got '1'");
    expect(() => parseFlagValue(schema.shape.labels, '--labels', 'fixed')).toThrow("--labels 'fixed' is not valid; valid choices: 'original' or 'corrected'");
    expect(() => parseFlagValue(schema.shape.name, '--name', 'my set')).toThrow('--name "my set" is not valid: use letters only');
  });
});

describe('declareFlags and optionsFromFlags', () => {
  it('flags not given are left out (the schema applies its defaults); a required key is a mandatory flag', () => {
    expect(parse('--data', 'd')).toEqual({ data: 'd' });
    expect(parse('--data', 'd', '--batch-size', '4', '--models', 'x,y')).toEqual({ data: 'd', batchSize: 4, models: ['x', 'y'] });
    expect(() => parse('--batch-size', '4')).toThrow(/required option '--data <dir>' not specified/);
  });

  it('a group is built when its anchor is given; a member without it is one line naming both', () => {
    expect(parse('--data', 'd', '--queue', 'redis://127.0.0.1:1', '--shard-size', '6')).toEqual({ data: 'd', queue: { url: 'redis://127.0.0.1:1', shardSize: 6 } });
    expect(() => parse('--data', 'd', '--shard-size', '6')).toThrow("--shard-size applies only with --queue (a distributed run's jobs)");
  });

  it('--help shows the description, the valid choices and the default, all from the table and the schema', () => {
    const help = declareFlags(new Command('test'), table, schema).helpInformation().replace(/\s+/g, ' ');
    expect(help).toMatch(/--labels <set> label set \(choices: 'original' or 'corrected'; default: 'original'\)/);
    expect(help).toMatch(/--batch-size <n> images per call \(an integer >= 1; default: 8\)/);
    expect(help).toMatch(/--queue-name <name> queue name \(default: 'mmvp'\)/);
    expect(help).not.toMatch(/signal/);
  });
});
