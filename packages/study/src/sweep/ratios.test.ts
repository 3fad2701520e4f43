import { describe, expect, it } from 'vitest';
import { PAPER_RATIOS, parseRatios } from './ratios';

describe('parseRatios', () => {
  it("keeps each ratio's value and its text as written", () => {
    expect(parseRatios(PAPER_RATIOS).map((r) => r.value)).toEqual([0, 0.25, 0.5, 0.625, 0.75, 0.875, 1]);
    expect(parseRatios('0, 0.50 ,1.0')).toEqual([
      { value: 0, text: '0' },
      { value: 0.5, text: '0.50' },
      { value: 1, text: '1.0' },
    ]);
    expect(parseRatios([0, 0.5, '0.875', 1])).toEqual([
      { value: 0, text: '0' },
      { value: 0.5, text: '0.5' },
      { value: 0.875, text: '0.875' },
      { value: 1, text: '1' },
    ]);
  });

  it('refuses duplicates, hex, empty items, exponents and values outside [0, 1], naming the flag and the valid form', () => {
    const cases: [string, string][] = [
      ['0.5,0.5', "0.5 is given twice (items 1 '0.5' and 2 '0.5')"],
      ['0.5,0.50', "0.5 is given twice (items 1 '0.5' and 2 '0.50')"],
      ['0x1', "'0x1' is not a plain decimal"],
      ['0,,1', 'item 2 is empty'],
      ['0,1,', 'item 3 is empty'],
      ['1e-1', "'1e-1' is not a plain decimal"],
      ['.5', "'.5' is not a plain decimal"],
      ['-0', "'-0' is not a plain decimal"],
      ['0,1.5', "'1.5' is outside [0, 1]"],
      ['', 'the list is empty'],
    ];
    for (const [text, reason] of cases) {
      expect(() => parseRatios(text, '--ratios'), text).toThrow(
        `--ratios must be a comma-separated list of DINOv2 ratios in [0, 1], each a plain decimal given once (e.g. 0,0.25,0.5,0.625,0.75,0.875,1); got '${text}': ${reason}`,
      );
    }
    expect(() => parseRatios([], 'ratios')).toThrow(/ratios must be .*: the list is empty/);
    expect(() => parseRatios([0.5, '0.50'])).toThrow(/0\.5 is given twice/);
    expect(() => parseRatios([Number.NaN])).toThrow(/item 1 \(NaN\) is not a finite number/);
  });
});
