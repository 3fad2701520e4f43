import { describe, expect, it } from 'vitest';
import { extractionCases } from './__fixtures__/extraction-cases';
import { extractChoice, extractChoiceDetailed } from './extract-choice';

describe('extractChoice on the hand-checked answer set', () => {
  it('has at least 60 cases covering every style', () => {
    expect(extractionCases.length).toBeGreaterThanOrEqual(60);
    const expected = new Set(extractionCases.map((c) => c.expected));
    expect(expected).toEqual(new Set(['a', 'b', 'undetermined']));
  });

  it.each(extractionCases.map((c, i) => [i, c.response, c.options.join(' / '), c.expected, c] as const))('#%i %j (%s) -> %s', (_i, _r, _o, expected, c) => {
    const result = extractChoiceDetailed(c.response, c.options);
    expect(result.choice, `rule ${result.rule}`).toBe(expected);
  });

  it('never answers for a response that names neither option', () => {
    expect(extractChoice('The image shows a cat on a sofa.', ['Left', 'Right'])).toBe('undetermined');
  });
});
