import { describe, expect, it } from 'vitest';
import { formatCsv, formatMarkdownTable } from './format-csv';
import { parseCsv } from './parse-csv';

describe('formatCsv (RFC 4180)', () => {
  // Expected text written by hand from RFC 4180 section 2: fields with a separator, a quote or a line
  // break are quoted and inner quotes doubled; nothing else is quoted.
  it('quotes only the fields that need it', () => {
    const rows = [
      ['id', 'text'],
      [1, 'plain'],
      [2, 'a, b'],
      [3, 'say "hi"'],
      [4, 'two\nlines'],
      [5, 'tab\there'],
    ];
    expect(formatCsv(rows)).toBe('id,text\n1,plain\n2,"a, b"\n3,"say ""hi"""\n4,"two\nlines"\n5,tab\there\n');
    expect(formatCsv(rows, { delimiter: '\t' })).toBe('id\ttext\n1\tplain\n2\ta, b\n3\t"say ""hi"""\n4\t"two\nlines"\n5\t"tab\there"\n');
  });

  it('round-trips through the parser, CSV and TSV', () => {
    const rows = [
      ['image_a', 'note'],
      ['x,1.png', 'he said "no"\r\nthen left'],
      ['', 'tab\tinside'],
    ];
    expect(parseCsv(formatCsv(rows), 'a.csv').map((record) => record.fields)).toEqual(rows);
    expect(parseCsv(formatCsv(rows, { delimiter: '\t' }), 'a.tsv', { delimiter: '\t' }).map((record) => record.fields)).toEqual(rows);
  });

  it('writes a Markdown table with escaped pipes', () => {
    expect(formatMarkdownTable(['pattern', 'score'], [['a|b', 40]])).toBe('| pattern | score |\n|---|---|\n| a\\|b | 40 |');
  });
});
