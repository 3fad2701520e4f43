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

describe('edge cases found by running the peers side by side', () => {
  it('a hedge is undetermined under every rule but a whole-letter reply or an explicit statement', () => {
    const options = ['Open', 'Closed'] as const;
    expect(extractChoiceDetailed("I'm not sure, but maybe (a).", options)).toEqual({ choice: 'undetermined', rule: 'hedged' });
    expect(extractChoiceDetailed('It is hard to tell; option B perhaps.', options)).toEqual({ choice: 'undetermined', rule: 'hedged' });
    expect(extractChoiceDetailed('(b) I think, though I cannot see the latch.', options)).toEqual({ choice: 'undetermined', rule: 'hedged' });
    expect(extractChoice('I am unsure whether it is open.', options)).toBe('undetermined');
    // explicit statements and bare letters still count
    expect(extractChoice("It's hard to see, but the answer is (b).", options)).toBe('b');
    expect(extractChoice('(a)', options)).toBe('a');
  });

  it('never reads the article "A" as option A (lmms-eval and VLMEvalKit do)', () => {
    expect(extractChoice('A cat is sitting on the sofa.', ['Yes', 'No'])).toBe('undetermined');
    expect(extractChoice('A door that is closed.', ['Open', 'Closed'])).toBe('b');
    expect(extractChoice('A butterfly facing right.', ['Left', 'Right'])).toBe('b');
    expect(extractChoice('A. Left', ['Left', 'Right'])).toBe('a');
    expect(extractChoice('A', ['Left', 'Right'])).toBe('a');
  });

  it('a declarative answer to a Yes/No question counts only when it restates every content word', () => {
    const yesNo = ['Yes', 'No'] as const;
    const q = 'Is there a cat in the picture?';
    expect(extractChoiceDetailed('There is a cat in the picture.', yesNo, q)).toEqual({ choice: 'a', rule: 'declarative' });
    expect(extractChoice('There is no cat in the picture.', yesNo, q)).toBe('b');
    expect(extractChoice("There isn't any cat.", yesNo, q)).toBe('b');
    expect(extractChoice('I see two cats on a rug.', yesNo, q)).toBe('a'); // plural of the content word
    expect(extractChoice('The picture shows a dog.', yesNo, q)).toBe('undetermined'); // 'cat' not restated
    expect(extractChoice('The door is closed.', yesNo, 'Is the door open?')).toBe('undetermined'); // 'open' left out
    expect(extractChoice('The door is open.', ['No', 'Yes'], 'Is the door open?')).toBe('b'); // Yes is option b here
    expect(extractChoice('There is a cat in the picture.', yesNo)).toBe('undetermined'); // no question given: rule 7 is off
    expect(extractChoice('There is a cat.', ['Left', 'Right'], 'Is the cat facing left or right?')).toBe('undetermined');
  });
});
