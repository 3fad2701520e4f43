import { readTextFile } from './text-file';

/** One JSON line with its 1-based line number. */
export interface JsonLine {
  readonly value: unknown;
  readonly line: number;
}

/** A line that is not valid JSON. */
export interface BrokenJsonLine {
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

/**
 * Reads a JSONL file: one JSON value per line, blank lines ignored. Lines that do not parse are
 * returned separately (with their line number), so a caller can decide whether to fail or to skip;
 * a last line without its newline that does not parse is flagged `truncated` (a killed writer).
 * Read with readTextFile: a UTF-8 BOM is dropped, UTF-16 decoded, invalid UTF-8 an error.
 */
export async function readJsonLines(path: string): Promise<{ lines: JsonLine[]; broken: BrokenJsonLine[]; truncatedLastLine: boolean }> {
  const { text } = await readTextFile(path);
  return parseJsonLines(text);
}

/** Parses JSONL text (see readJsonLines). */
function parseJsonLines(text: string): { lines: JsonLine[]; broken: BrokenJsonLine[]; truncatedLastLine: boolean } {
  const lines: JsonLine[] = [];
  const broken: BrokenJsonLine[] = [];
  const parts = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  let truncatedLastLine = false;
  parts.forEach((raw, index) => {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim().length === 0) return;
    try {
      lines.push({ value: JSON.parse(content), line: index + 1 });
    } catch (error) {
      broken.push({ line: index + 1, text: content.length > 80 ? `${content.slice(0, 80)}...` : content, message: (error as Error).message });
      if (index === parts.length - 1 && !endsWithNewline) truncatedLastLine = true;
    }
  });
  return { lines, broken, truncatedLastLine };
}
