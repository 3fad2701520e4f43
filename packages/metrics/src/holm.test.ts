import { describe, expect, it } from 'vitest';
import { holmAdjust, holmAdjustComparisons } from './holm';

describe('holmAdjust', () => {
  it("equals R's p.adjust(p, 'holm') on hand-checked families", () => {
    // p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005]).map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    // by hand: sorted 0.001 x 6, 0.012 x 5, 0.04 x 4, 0.2 x 3, 0.3 x 2 = 0.6, 0.5 x 1 -> running max 0.6
    expect(holmAdjust([0.001, 0.2, 0.5, 0.04, 0.012, 0.3]).map((p) => Number(p.toFixed(10)))).toEqual([0.006, 0.6, 0.6, 0.16, 0.06, 0.6]);
    expect(holmAdjust([0.7])).toEqual([0.7]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('refuses a p-value outside [0, 1], naming which', () => {
    expect(() => holmAdjust([0.1, 1.5])).toThrow(/p-value 2 must lie in \[0, 1\]/);
  });
});

describe('holmAdjustComparisons', () => {
  it('adds the adjusted p beside the raw one; resolved needs the interval and the adjusted p', () => {
    const family = [
      { mcnemarP: 0.01, resolved: true },
      { mcnemarP: 0.04, resolved: true },
      { mcnemarP: 0.03, resolved: true },
      { mcnemarP: 0.005, resolved: false },
    ];
    const adjusted = holmAdjustComparisons(family);
    expect(adjusted.map((c) => Number(c.mcnemarPHolm.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(adjusted.map((c) => c.resolved)).toEqual([true, false, false, false]);
    expect(adjusted.map((c) => c.mcnemarP)).toEqual([0.01, 0.04, 0.03, 0.005]);
  });
});
