import { describe, expect, it } from 'vitest';
import { generatePair } from './generate-pair';
import { createRng } from './rng';
import { hasGlyphs } from './stroke-font';

describe('stroke font', () => {
  it('has a glyph for every character the Texts pattern and the contact sheets use', () => {
    for (let j = 0; j < 60; j++) {
      const pair = generatePair('Texts', createRng(1, j), 64);
      for (const value of pair.values) expect(hasGlyphs(value), value).toBe(true);
      expect(hasGlyphs(pair.question)).toBe(true);
    }
    expect(hasGlyphs('é')).toBe(false);
  });
});
