/**
 * Minimal RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Enough for the results folder's
 * own files; returns rows of raw strings.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let index = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (index < body.length) {
    const char = body[index]!;
    if (quoted) {
      if (char === '"') {
        if (body[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        quoted = false;
      } else {
        field += char;
      }
      index += 1;
      continue;
    }
    if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && body[index + 1] === '\n') index += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
    index += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((cells) => !(cells.length === 1 && cells[0] === ''));
}

/** Quotes a CSV field when it holds a comma, quote or line break. */
function formatCsvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Formats rows as CSV text with LF line ends and a final newline. */
export function formatCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((cells) => cells.map(formatCsvField).join(',')).join('\n') + '\n';
}
