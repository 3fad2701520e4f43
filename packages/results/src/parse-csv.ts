import { FileFormatError } from '@mmvp/core';
import type { CsvDelimiter } from './format-csv';

/** One parsed CSV record with the 1-based line number it starts on (for error messages). */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
}

/**
 * Parses CSV text as RFC 4180 describes it: comma-separated, fields optionally in double quotes,
 * `""` inside quotes is one quote, quoted fields may hold commas and line breaks; CRLF or LF line
 * ends; a leading UTF-8 BOM is dropped; blank lines are skipped. Why our own parser: the benchmark
 * files are small, and we need the line of every record to name it in errors.
 * @param source file name used in error messages (an unterminated quote names its line).
 */
export function parseCsv(text: string, source: string, options: { readonly delimiter?: CsvDelimiter } = {}): CsvRecord[] {
  const delimiter = options.delimiter ?? ',';
  const records: CsvRecord[] = [];
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const length = text.length;
  while (position < length) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let endOfRecord = false;
    let quotedSomething = false;
    while (!endOfRecord) {
      if (position >= length) break;
      const char = text[position]!;
      if (char === '"' && field.length === 0) {
        // A quoted field: read until the closing quote that is not doubled.
        quotedSomething = true;
        position++;
        const quoteLine = line;
        for (;;) {
          if (position >= length) throw new FileFormatError(`${source}: line ${quoteLine}: a quoted field is never closed (missing '"')`);
          const inner = text[position]!;
          if (inner === '"') {
            if (text[position + 1] === '"') {
              field += '"';
              position += 2;
              continue;
            }
            position++;
            break;
          }
          if (inner === '\n') line++;
          field += inner;
          position++;
        }
        // After the closing quote only a separator or a line end may follow; tolerate stray spaces.
        while (position < length && (text[position] === ' ' || (text[position] === '\t' && delimiter !== '\t'))) position++;
        const next = text[position];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
          throw new FileFormatError(`${source}: line ${line}: unexpected character '${next}' after a closing quote (a quote inside a field must be doubled: "")`);
        }
        continue;
      }
      if (char === delimiter) {
        fields.push(field);
        field = '';
        position++;
        continue;
      }
      if (char === '\r' || char === '\n') {
        if (char === '\r' && text[position + 1] === '\n') position++;
        position++;
        line++;
        endOfRecord = true;
        break;
      }
      field += char;
      position++;
    }
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === '' && !quotedSomething;
    if (!blank) records.push({ fields, line: startLine });
  }
  return records;
}
