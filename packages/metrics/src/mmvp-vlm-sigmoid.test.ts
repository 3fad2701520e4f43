import { describe, expect, it } from 'vitest';
import { scoreMmvpVlm } from './mmvp-vlm-score';
import { sigmoidChoices, sigmoidScores } from './mmvp-vlm-sigmoid';

/** Deterministic uniform numbers in [0, 1) (a small LCG: the test does not depend on Math.random). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("SigLIP's sigmoid scores vs the official softmax rule", () => {
  it('per statement, the argmax of sigmoid(scale x cos + bias) over the two images is the softmax rule choice', () => {
    const random = generator(30);
    let compared = 0;
    for (let trial = 0; trial < 5000; trial++) {
      // the real checkpoints: exp(logit_scale) about 110-120, logit_bias about -10 to -17; cover wider ranges too
      const scale = 1 + random() * 150;
      const bias = -20 + random() * 25;
      const cosines = [0, 1, 2, 3].map(() => -1 + 2 * random());
      if (trial % 10 === 0) cosines[1] = cosines[0]!; // exact ties: both rules give image 2
      const logits = [
        [scale * cosines[0]! + bias, scale * cosines[1]! + bias],
        [scale * cosines[2]! + bias, scale * cosines[3]! + bias],
      ] as const;
      const rule = scoreMmvpVlm([{ pattern: 'p', logits }]).pairs[0]!.predictions;
      expect(sigmoidChoices(logits)).toEqual(rule);
      // where sigmoid does not saturate in float64 (|logit| < 36), its values order the images the same way
      const scores = sigmoidScores(logits);
      for (const statement of [0, 1] as const) {
        const [a, b] = scores[statement];
        if (a === 1 || b === 1 || a === 0 || b === 0) continue;
        expect(a > b ? 1 : 2).toBe(rule[statement]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5000); // most statements are compared on the sigmoid values themselves
  });

  it('compares logits, not saturated sigmoid values', () => {
    const logits = [
      [45, 40],
      [40, 45],
    ] as const;
    expect(sigmoidScores(logits)[0]).toEqual([1, 1]); // float64 cannot tell them apart
    expect(sigmoidChoices(logits)).toEqual([1, 2]);
    expect(scoreMmvpVlm([{ pattern: 'p', logits }]).pairs[0]!.correct).toBe(true);
  });
});
