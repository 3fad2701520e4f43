import { describe, expect, it } from 'vitest';
import { pope, popeAnswer } from './pope';

describe('POPE (LLaVA eval_pope.py rules)', () => {
  it('reads the first sentence: No/no/not words mean no', () => {
    expect(popeAnswer('Yes, there is a dog in the image.')).toBe('yes');
    expect(popeAnswer('No, there is no cat.')).toBe('no');
    expect(popeAnswer('There is not a cat in the image.')).toBe('no');
    expect(popeAnswer('Yes. There is no cat, not at all.')).toBe('yes'); // only the first sentence counts
    expect(popeAnswer('No')).toBe('no');
    expect(popeAnswer('Nope')).toBe('yes'); // not one of the words
    expect(popeAnswer('Not really')).toBe('yes'); // the original test is case-sensitive: "Not" is not "not"
    expect(popeAnswer('There is a cat,no doubt')).toBe('yes'); // comma removed, "catno" is one word
  });

  it('computes accuracy, precision, recall, F1 and yes-ratio with yes as positive', () => {
    // TP: 1, 2; FP: 3; TN: 4, 5; FN: 6 -> acc 4/6, precision 2/3, recall 2/3, F1 2/3, yes-ratio 3/6
    const scores = pope([
      { label: 'yes', response: 'Yes' },
      { label: 'yes', response: 'Yes, there is.' },
      { label: 'no', response: 'Yes' },
      { label: 'no', response: 'No' },
      { label: 'no', response: 'There is no bus.' },
      { label: 'yes', response: 'no' },
    ]);
    expect(scores).toMatchObject({ total: 6, truePositives: 2, falsePositives: 1, trueNegatives: 2, falseNegatives: 1 });
    expect(scores.accuracy).toBeCloseTo(4 / 6, 12);
    expect(scores.precision).toBeCloseTo(2 / 3, 12);
    expect(scores.recall).toBeCloseTo(2 / 3, 12);
    expect(scores.f1).toBeCloseTo(2 / 3, 12);
    expect(scores.yesRatio).toBe(0.5);
  });
});
