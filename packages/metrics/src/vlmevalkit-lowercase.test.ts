import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractChoice } from './extract-choice';

/**
 * Issue 29, item 6. VLMEvalKit's answer parsing, run on answers in the original MMVP format by
 * tools/make_interop_fixtures.py (`vlmevalkit-parse`): VLMEvalKit e8e78f0
 * vlmeval/utils/matching_util.py:124-127
 *     def can_infer(answer, choices):
 *         copt = can_infer_option(answer, choices)   # :18-61, looks for the UPPERCASE labels as words
 *         return copt if copt else can_infer_text(answer, choices)   # :107-121, the option text
 * with choices {'A': 'Left', 'B': 'Right'}. A lowercase `(a)` without the option's text is not read
 * (under exact matching it then counts as wrong, multiple_choice.py:382-383), so VLMEvalKit scores
 * the original format lower than `mmvp grade` does.
 */
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/vlmevalkit-can-infer.json', import.meta.url), 'utf8')) as { cases: { answer: string; vlmevalkit: 'A' | 'B' | null }[] };

// the letter each answer names, read by hand
const NAMED: Record<string, 'a' | 'b'> = {
  A: 'a',
  B: 'b',
  '(A)': 'a',
  '(B) Right': 'b',
  '(a)': 'a',
  '(b)': 'b',
  a: 'a',
  b: 'b',
  '(a) Left': 'a',
  '(b) Right': 'b',
  'The answer is (a).': 'a',
  'Answer: (b)': 'b',
  'I think (a) is correct.': 'a',
};

describe("answers in the original MMVP format: what VLMEvalKit's can_infer reads and what mmvp grade reads", () => {
  it('VLMEvalKit leaves every lowercase letter without option text unread; the rule grader reads all of them', () => {
    expect(fixture.cases.map((c) => c.answer).sort()).toEqual(Object.keys(NAMED).sort());
    const unread = fixture.cases.filter((c) => c.vlmevalkit === null).map((c) => c.answer);
    expect(unread).toEqual(['(a)', '(b)', 'a', 'b', 'The answer is (a).', 'Answer: (b)', 'I think (a) is correct.']);
    for (const c of fixture.cases) {
      expect(extractChoice(c.answer, ['Left', 'Right']), c.answer).toBe(NAMED[c.answer]);
      if (c.vlmevalkit !== null) expect(c.vlmevalkit.toLowerCase(), c.answer).toBe(NAMED[c.answer]); // where both read, they agree
    }
  });
});
