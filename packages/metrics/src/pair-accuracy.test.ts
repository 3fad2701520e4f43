import { describe, expect, it } from 'vitest';
import { pairAccuracy } from './pair-accuracy';
import { patternTable } from './pattern-table';

// Hand-checked: pair 1 both right (counts), pair 2 one wrong (does not count), pair 3 both wrong,
// pair 4 both right. Questions 6/8 right -> 75%; pairs 2/4 -> 50%.
const results = [
  { questionId: 1, pairId: 1, correct: true },
  { questionId: 2, pairId: 1, correct: true },
  { questionId: 3, pairId: 2, correct: true },
  { questionId: 4, pairId: 2, correct: false },
  { questionId: 5, pairId: 3, correct: false },
  { questionId: 6, pairId: 3, correct: false },
  { questionId: 7, pairId: 4, correct: true },
  { questionId: 8, pairId: 4, correct: true },
];

describe('pairAccuracy', () => {
  it('counts a pair only when both questions are right', () => {
    expect(pairAccuracy(results)).toEqual({ questions: 8, correctQuestions: 5, questionAccuracy: 62.5, pairs: 4, correctPairs: 2, pairAccuracy: 50 });
  });

  it('a model that always answers (a) gets every question of one side right and no pair', () => {
    const alwaysA = Array.from({ length: 300 }, (_, i) => ({ questionId: i + 1, pairId: Math.ceil((i + 1) / 2), correct: i % 2 === 0 }));
    const summary = pairAccuracy(alwaysA);
    expect([summary.questionAccuracy, summary.pairAccuracy, summary.pairs]).toEqual([50, 0, 150]);
  });

  it('refuses a pair with a missing or extra question', () => {
    expect(() => pairAccuracy(results.slice(0, 3))).toThrowError(/pair 2 has 1 graded question\(s\) \(3\); a pair needs exactly 2/);
  });
});

describe('patternTable', () => {
  it('groups pairs by pattern in the given order and flags pairs mapped to two patterns', () => {
    const patterns = ['Texts', 'Texts', 'Color', 'Color', 'Texts', 'Texts', 'Color', 'Orientation'];
    const { rows, mixedPairs } = patternTable(
      results.map((r, i) => ({ ...r, pattern: patterns[i]! })),
      ['Orientation', 'Color', 'Texts'],
    );
    expect(rows.map((row) => [row.pattern, row.pairs, row.correctPairs, row.pairAccuracy])).toEqual([
      ['Color', 2, 1, 50], // pairs 2 (one wrong) and 4 (both right; its second question says Orientation)
      ['Texts', 2, 1, 50],
    ]);
    expect(mixedPairs).toEqual([4]);
  });
});

describe('pairAccuracy layouts', () => {
  it('gives the same result for pairs in file order and shuffled (grouped by pair id)', () => {
    const shuffled = [results[5]!, results[0]!, results[7]!, results[2]!, results[1]!, results[4]!, results[6]!, results[3]!];
    expect(pairAccuracy(shuffled)).toEqual(pairAccuracy(results));
  });
});
