import { describe, expect, it } from 'vitest';
import { pearson } from './pearson';

describe('pearson', () => {
  it('matches numpy.corrcoef', () => {
    // numpy.corrcoef([1,2,3,4,5],[2,4,5,4,5])[0,1]
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7745966692414834, 14);
    // Paper Table 1 rows OpenAI ViT-L-14 224 vs SigLIP ViT-SO-14 224, numpy: 0.7522639087482268
    const clip = [13.3, 13.3, 20.0, 20.0, 13.3, 53.3, 20.0, 6.7, 13.3];
    const siglip = [26.7, 20.0, 53.3, 40.0, 20.0, 66.7, 40.0, 20.0, 53.3];
    expect(pearson(clip, siglip)).toBeCloseTo(0.7522639087482268, 14);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 14);
  });

  it('rejects different lengths, too few values and constant vectors', () => {
    expect(() => pearson([1, 2], [1, 2, 3])).toThrowError(/differ in length \(2 vs 3\)/);
    expect(() => pearson([1], [1])).toThrowError(/at least 2/);
    expect(() => pearson([1, 1, 1], [1, 2, 3])).toThrowError(/first vector is constant/);
  });
});
