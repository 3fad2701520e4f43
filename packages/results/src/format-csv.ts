/** The field separators the writer and the parser know: comma (CSV) and tab (TSV). */
export type CsvDelimiter = ',' | '\t';

/**
 * One field as RFC 4180 writes it: in double quotes (a quote doubled) when it holds the delimiter, a
 * quote or a line break; as is otherwise. pandas' and Python's csv readers take it back unchanged.
 */
export function formatCsvField(value: string | number, delimiter: CsvDelimiter = ','): string {
  const text = String(value);
  const needsQuotes = text.includes(delimiter) || /["\r\n]/.test(text);
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Rows (a header first, when the file has one) as CSV text, or TSV with `delimiter: '\t'`: LF line
 * ends and a final newline. The one table writer of the workspace.
 */
export function formatCsv(rows: readonly (readonly (string | number)[])[], options: { readonly delimiter?: CsvDelimiter } = {}): string {
  const delimiter = options.delimiter ?? ',';
  return rows.map((cells) => cells.map((cell) => formatCsvField(cell, delimiter)).join(delimiter)).join('\n') + '\n';
}

/**
 * A GitHub-flavoured Markdown table: the header row, the `|---|` rule and one line per row (cells as
 * given; a `|` inside a cell is escaped). Lines end with LF; no final newline (tables sit inside documents).
 */
export function formatMarkdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}
