import { describe, expect, it } from 'vitest';
import { scoreMmvpVlm } from './mmvp-vlm-score';

describe('scoreMmvpVlm (official evaluate_vlm.py rule)', () => {
  it('statement 1 must pick image 1 and statement 2 image 2; ties go to image 2', () => {
    const scores = scoreMmvpVlm(
      [
        {
          pattern: 'Color',
          logits: [
            [31, 30],
            [20, 22],
          ],
        }, // right, right -> correct
        {
          pattern: 'Color',
          logits: [
            [31, 30],
            [22, 20],
          ],
        }, // statement 2 picks image 1 -> wrong
        {
          pattern: 'Texts',
          logits: [
            [25, 25],
            [10, 11],
          ],
        }, // tie: statement 1 picks image 2 -> wrong
        {
          pattern: 'Texts',
          logits: [
            [12, 11],
            [11, 11],
          ],
        }, // tie for statement 2: image 2 -> correct
        {
          pattern: 'Texts',
          logits: [
            [1, 2],
            [2, 1],
          ],
        }, // both reversed -> wrong
      ],
      ['Orientation', 'Texts', 'Color'],
    );
    expect(scores.pairs.map((pair) => pair.predictions)).toEqual([
      [1, 2],
      [1, 1],
      [2, 2],
      [1, 2],
      [2, 1],
    ]);
    expect(scores.pairs.map((pair) => pair.correct)).toEqual([true, false, false, true, false]);
    expect(scores.pairs[0]!.probabilityImage1[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(scores.pairs[2]!.probabilityImage1[0]).toBe(0.5);
    expect(scores.perPattern).toEqual([
      { pattern: 'Texts', pairs: 3, correctPairs: 1, score: (1 / 3) * 100 },
      { pattern: 'Color', pairs: 2, correctPairs: 1, score: 50 },
    ]);
    expect(scores.average).toBeCloseTo((100 / 3 + 50) / 2, 12);
    expect(scores.overall).toBe(40);
  });

  it('a probability that rounds to 0.5 only when the logits are equal (stable softmax on large logits)', () => {
    const scores = scoreMmvpVlm([
      {
        pattern: 'p',
        logits: [
          [1000.0001, 1000],
          [-1000, -999.9999],
        ],
      },
    ]);
    expect(scores.pairs[0]!.predictions).toEqual([1, 2]);
  });

  it('rejects non-finite logits', () => {
    expect(() =>
      scoreMmvpVlm([
        {
          pattern: 'p',
          logits: [
            [Number.NaN, 1],
            [0, 1],
          ],
        },
      ]),
    ).toThrowError(/pair 0: statement 1 has a non-finite logit/);
  });
});
