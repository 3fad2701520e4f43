import { DatasetError, listChoices } from '@mmvp/core';
import { parseCsv } from '@mmvp/results';
import { readTextFile } from './text-file';

/**
 * Reads a question -> pattern map (`patterns.csv` with columns `index,pattern`, as `mmvp synth`
 * writes it). MMVP's release has no such file (the paper's mapping was never published), so a
 * per-pattern MMVP table needs one. Any bad row fails with file and line.
 */
export async function readPatternMap(path: string): Promise<Map<number, string>> {
  const { text } = await readTextFile(path, 'the pattern map');
  const records = parseCsv(text, path);
  if (records.length === 0) throw new DatasetError(`${path} is empty; expected the header index,pattern`);
  const header = records[0]!.fields.map((cell) => cell.trim().toLowerCase());
  const indexColumn = header.indexOf('index');
  const patternColumn = header.indexOf('pattern');
  if (indexColumn < 0 || patternColumn < 0) {
    throw new DatasetError(`${path}:${records[0]!.line}: the header must name the columns 'index' and 'pattern'; found ${listChoices(records[0]!.fields)}`);
  }
  const map = new Map<number, string>();
  const problems: string[] = [];
  for (const record of records.slice(1)) {
    const index = record.fields[indexColumn]?.trim() ?? '';
    const pattern = record.fields[patternColumn]?.trim() ?? '';
    if (!/^\d+$/.test(index) || pattern.length === 0) {
      problems.push(`${path}:${record.line}: expected a positive integer index and a pattern name, got '${record.fields.join(',')}'`);
      continue;
    }
    if (map.has(Number(index))) {
      problems.push(`${path}:${record.line}: index ${index} appears twice`);
      continue;
    }
    map.set(Number(index), pattern);
  }
  if (problems.length > 0) throw new DatasetError(`${path}: ${problems.length} bad row(s):\n  ${problems.slice(0, 20).join('\n  ')}`);
  return map;
}
