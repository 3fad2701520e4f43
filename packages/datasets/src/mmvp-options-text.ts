/**
 * Splits MMVP's one-string options `(a) X (b) Y` into `['X', 'Y']`. Returns undefined when the text
 * does not have exactly the two markers in order, or when an option is empty.
 */
export function parseOptionsText(text: string): readonly [string, string] | undefined {
  const match = /^\s*\(a\)\s*([\s\S]*?)\s*\(b\)\s*([\s\S]*?)\s*$/i.exec(text);
  if (match === null) return undefined;
  const first = match[1]!;
  const second = match[2]!;
  if (first.length === 0 || second.length === 0) return undefined;
  if (/\([c-z]\)/i.test(second)) return undefined; // a third option: MMVP questions have exactly two
  return [first, second];
}

/** Reads `(a)` / `(b)` (also `a`, `A`, `(A)`, `a)`) as a choice; undefined for anything else. */
export function parseAnswerLetter(text: string): 'a' | 'b' | undefined {
  const match = /^\s*\(?\s*([ab])\s*\)?\s*$/i.exec(text);
  return match === null ? undefined : (match[1]!.toLowerCase() as 'a' | 'b');
}
