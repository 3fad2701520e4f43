import { describe, expect, it } from 'vitest';
import { jobKindTable, type JobDataBase, type JobKindDefinition } from './job-kind';

interface EchoJob extends JobDataBase {
  readonly kind: 'echo';
  readonly words: readonly string[];
}

// a definition with specific data and parts types goes into the erased table without a cast
const echo: JobKindDefinition<EchoJob, { readonly prefix: string }> = {
  kind: 'echo',
  unitsOf: (data) => data.words.length,
  runShard: async (data, context) => ({ lines: data.words.map((word) => JSON.stringify({ word: `${context.parts.prefix}${word}` })) }),
};

describe('jobKindTable', () => {
  it('finds each definition by its kind and runs its shard work', async () => {
    const table = jobKindTable([echo]);
    const definition = table.get('echo')!;
    const data: EchoJob = { kind: 'echo', runId: 'r', shard: 0, dataRoot: '/data', words: ['a', 'b'] };
    expect(definition.unitsOf(data)).toBe(2);
    expect((await definition.runShard(data, { parts: { prefix: '>' }, dataRoot: '/data', modelsRoot: '/models' })).lines).toEqual(['{"word":">a"}', '{"word":">b"}']);
    expect(table.get('mine')).toBeUndefined();
  });

  it('refuses two definitions of one kind', () => {
    expect(() => jobKindTable([echo, echo])).toThrow("job kind 'echo' is defined twice");
  });
});
