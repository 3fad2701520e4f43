import { pairedTestPower, pairsNeeded } from '@mmvp/metrics';
import { describe, expect, it } from 'vitest';
import { DEMO_LLAVA_PAIRS_PER_PATTERN, parseDemoOptions } from './demo-options';

const base = { zoo: 'models/zoo', out: 'mmvp-demo' };
const patterns = 9;

describe("the demo's evaluation sizes", () => {
  it('with no size given, finding 1 keeps the 15-pair MMVP-VLM layout and the LLaVA models get the powered default', () => {
    const options = parseDemoOptions(base);
    expect(options.pairsPerPattern).toBe(15);
    expect(options.llavaPairsPerPattern).toBe(DEMO_LLAVA_PAIRS_PER_PATTERN);
  });

  it('an explicit pairsPerPattern alone sizes every finding (what a small test run passes), and llavaPairsPerPattern wins when given', () => {
    expect(parseDemoOptions({ ...base, pairsPerPattern: 2 }).llavaPairsPerPattern).toBe(2);
    expect(parseDemoOptions({ ...base, pairsPerPattern: 2, llavaPairsPerPattern: 3 }).llavaPairsPerPattern).toBe(3);
    expect(parseDemoOptions({ ...base, llavaPairsPerPattern: 40 }).llavaPairsPerPattern).toBe(40);
    expect(() => parseDemoOptions({ ...base, pairsPerPattern: 20, llavaPairsPerPattern: 16 })).toThrow(/^runDemo options are invalid: llavaPairsPerPattern: must be at least pairsPerPattern \(20\).* \(given 16\)$/);
  });

  it("the default gives finding 3's comparisons 80% power for a 3-point difference at the zoo's observed discordance (17.8% at 135 pairs, 16.4% at 900; up to 20%)", () => {
    const pairs = patterns * DEMO_LLAVA_PAIRS_PER_PATTERN;
    for (const discordant of [0.164, 0.178, 0.2]) {
      expect(pairsNeeded(3, { discordant })).toBeLessThanOrEqual(pairs);
      expect(pairedTestPower(pairs, 3, { discordant })).toBeGreaterThanOrEqual(0.8);
    }
    // and the old default (15 per pattern) had nowhere near it
    expect(pairedTestPower(patterns * 15, 3, { discordant: 0.178 })).toBeLessThan(0.2);
  });
});
