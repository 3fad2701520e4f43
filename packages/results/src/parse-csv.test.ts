import { describe, expect, it } from 'vitest';
import { FileFormatError } from '@mmvp/core';
import { parseCsv } from './parse-csv';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and keeps start lines', () => {
    const text = '\uFEFFIndex,Question,Options,Correct Answer\r\n1,"Is it red, or blue?","(a) Red (b) ""Blue""",(a)\r\n\r\n2,"two\nlines",x,(b)\n3,,"",(a)';
    const records = parseCsv(text, 'q.csv');
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 6]);
    expect(records[0]!.fields).toEqual(['Index', 'Question', 'Options', 'Correct Answer']);
    expect(records[1]!.fields).toEqual(['1', 'Is it red, or blue?', '(a) Red (b) "Blue"', '(a)']);
    expect(records[2]!.fields).toEqual(['2', 'two\nlines', 'x', '(b)']);
    expect(records[3]!.fields).toEqual(['3', '', '', '(a)']);
  });

  it('names the file and line of an unterminated quote', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,x', 'bad.csv')).toThrowError(/bad\.csv: line 2: a quoted field is never closed/);
    expect(() => parseCsv('a,b\n1,"x"y', 'bad.csv')).toThrowError(FileFormatError);
  });
});
