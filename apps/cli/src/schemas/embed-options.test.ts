import { describe, expect, it } from 'vitest';
import { parseEmbedOptions } from './embed-options';

// `mmvp embed`'s own flag rules, in process (apps/cli/test/embed.test.ts runs two of them through the built CLI).
describe('parseEmbedOptions: the flag rules of mmvp embed, one line in flag words', () => {
  const base = { model: '/models/clip', images: ['x.png'] };
  it.each([
    [{ processor: 'clip' }, /^--processor clip needs --clip-model <dir>/],
    [{ pooled: true, layer: 2 }, /^--pooled gives pooled embeddings \[B, E\]; --layer picks token features/],
    [{ pooled: true, tap: 'last' }, /^--pooled gives pooled embeddings \[B, E\]; --tap picks token features/],
    [{ pooled: true, tokens: 'cls' }, /^--pooled gives pooled embeddings \[B, E\]; --tokens picks token features/],
    [{ images: [] }, /^give --image FILE\.\.\. or --text "\.\.\."/],
    [{ texts: ['a cat'] }, /^give --image or --text, not both/],
  ])('%j', (flags, message) => {
    expect(() => parseEmbedOptions({ ...base, ...flags })).toThrow(message);
  });
  it('passes what the rules allow, with the defaults filled in', () => {
    expect(parseEmbedOptions({ ...base, pooled: true })).toMatchObject({ pooled: true, processor: 'own', batchSize: 8, executionProvider: 'cpu' });
    expect(parseEmbedOptions({ ...base, processor: 'clip', clipModel: '/models/clip' })).toMatchObject({ processor: 'clip' });
  });
});
