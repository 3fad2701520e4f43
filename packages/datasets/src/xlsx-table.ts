import { inflateRawSync } from 'node:zlib';
import { FileFormatError } from '@mmvp/core';

/**
 * Reads the first worksheet of an .xlsx file (what pandas' `to_excel` / openpyxl write, e.g.
 * VLMEvalKit's prediction files) as rows of strings. Enough of Office Open XML for a plain table:
 * the zip container (stored or deflated entries), shared strings (plain and rich text), inline
 * strings, numbers, booleans, and OOXML's `_xHHHH_` escapes. No formulas are evaluated (a cached
 * value is read as is), no dates are converted.
 */
export function readXlsxTable(bytes: Uint8Array, source: string): string[][] {
  const entries = zipEntries(bytes, source);
  const text = (name: string) => {
    const entry = entries.get(name);
    return entry === undefined ? undefined : entry().toString('utf8');
  };
  const sharedStrings = [...(text('xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((match) => textRuns(match[1]!));
  const sheetPath = firstSheetPath(text('xl/workbook.xml'), text('xl/_rels/workbook.xml.rels'));
  const sheet = text(sheetPath) ?? text('xl/worksheets/sheet1.xml');
  if (sheet === undefined) throw new FileFormatError(`${source}: no worksheet found in the .xlsx file (looked for ${sheetPath})`);
  const rows: string[][] = [];
  for (const rowMatch of sheet.matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)) {
    const row: string[] = [];
    let next = 0;
    for (const cell of rowMatch[1]!.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attributes = cell[1]!;
      const body = cell[2] ?? '';
      const reference = /\br="([A-Z]+)\d+"/.exec(attributes);
      const column = reference ? columnIndex(reference[1]!) : next;
      while (row.length < column) row.push('');
      const type = /\bt="(\w+)"/.exec(attributes)?.[1];
      const value = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      let cellText: string;
      if (type === 's') cellText = sharedStrings[Number(value)] ?? '';
      else if (type === 'inlineStr') cellText = textRuns(body);
      else if (type === 'b') cellText = value === '1' ? 'TRUE' : 'FALSE';
      else cellText = value === undefined ? '' : unescapeXml(value);
      row[column] = cellText;
      next = column + 1;
    }
    rows.push(row);
  }
  return rows;
}

/** The concatenated `<t>` texts of a shared or inline string (rich-text runs joined, phonetic runs left out). */
function textRuns(xml: string): string {
  return [...xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '').matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((match) => unescapeXml(match[1]!)).join('');
}

function unescapeXml(text: string): string {
  return text
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9A-Fa-f]+);/g, (_, entity: string) => {
      if (entity[0] === '#') return String.fromCodePoint(entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
      return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[entity]!;
    });
}

/** 'A' -> 0, 'Z' -> 25, 'AA' -> 26. */
function columnIndex(letters: string): number {
  let index = 0;
  for (const letter of letters) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

/** The first sheet's part name, from the workbook and its relationships. */
function firstSheetPath(workbook: string | undefined, relationships: string | undefined): string {
  const id = workbook === undefined ? undefined : /<sheet\b[^>]*\br:id="([^"]+)"/.exec(workbook)?.[1];
  const target =
    id === undefined || relationships === undefined
      ? undefined
      : (new RegExp(`<Relationship\\b[^>]*\\bId="${id}"[^>]*\\bTarget="([^"]+)"`).exec(relationships)?.[1] ?? new RegExp(`<Relationship\\b[^>]*\\bTarget="([^"]+)"[^>]*\\bId="${id}"`).exec(relationships)?.[1]);
  if (target === undefined) return 'xl/worksheets/sheet1.xml';
  return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
}

/** The entries of a zip archive by name, each read (and inflated) on demand. */
function zipEntries(bytes: Uint8Array, source: string): Map<string, () => Buffer> {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: 22 bytes + a comment of up to 65535 bytes, at the end of the file.
  let end = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 65535); i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new FileFormatError(`${source} is not an .xlsx file (no zip directory found; is it truncated?)`);
  const count = data.readUInt16LE(end + 10);
  let position = data.readUInt32LE(end + 16);
  const entries = new Map<string, () => Buffer>();
  for (let n = 0; n < count; n++) {
    if (position + 46 > data.length || data.readUInt32LE(position) !== 0x02014b50) throw new FileFormatError(`${source}: broken zip directory (entry ${n + 1} of ${count})`);
    const method = data.readUInt16LE(position + 10);
    const compressedSize = data.readUInt32LE(position + 20);
    const nameLength = data.readUInt16LE(position + 28);
    const extraLength = data.readUInt16LE(position + 30);
    const commentLength = data.readUInt16LE(position + 32);
    const localOffset = data.readUInt32LE(position + 42);
    const name = data.toString('utf8', position + 46, position + 46 + nameLength);
    entries.set(name, () => {
      if (data.readUInt32LE(localOffset) !== 0x04034b50) throw new FileFormatError(`${source}: broken zip entry '${name}'`);
      const start = localOffset + 30 + data.readUInt16LE(localOffset + 26) + data.readUInt16LE(localOffset + 28);
      const raw = data.subarray(start, start + compressedSize);
      if (method === 0) return raw;
      if (method === 8) return inflateRawSync(raw);
      throw new FileFormatError(`${source}: zip entry '${name}' uses compression method ${method}; only stored (0) and deflate (8) are read`);
    });
    position += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
