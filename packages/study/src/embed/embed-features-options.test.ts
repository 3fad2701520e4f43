import { describe, expect, it } from 'vitest';
import { embedFeatures } from './embed-features';

// embedFeatures' own option rules, checked before any model is read (moved from apps/cli/test/embed.test.ts, which
// runs one of them through the built CLI): each is one InvalidArgumentError naming the key.
describe('embedFeatures options: the rules between keys', () => {
  const base = { model: '/no/such/model', images: ['x.png'] };
  it.each([
    [{ processor: 'clip' }, /embedFeatures options are invalid: clipModel: processor 'clip' needs clipModel \(the CLIP folder/],
    [{ pooled: true, tap: { kind: 'layer', layer: 2 } }, /embedFeatures options are invalid: tap: pooled gives pooled embeddings \[B, E\]; tap picks token features/],
    [{ pooled: true, tap: { kind: 'last' } }, /embedFeatures options are invalid: tap: pooled gives pooled embeddings \[B, E\]; tap picks token features/],
    [{ pooled: true, tokens: 'cls' }, /embedFeatures options are invalid: tokens: pooled gives pooled embeddings \[B, E\]; tokens picks token features/],
    [{ images: [] }, /embedFeatures options are invalid: images: give images \(files\) or texts/],
    [{ texts: ['a cat'] }, /embedFeatures options are invalid: texts: give images or texts, not both/],
  ])('%j', async (options, message) => {
    const error = await embedFeatures({ ...base, ...options } as Parameters<typeof embedFeatures>[0]).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('InvalidArgumentError');
    expect((error as Error).message).toMatch(message);
  });
});
