/** Small timing helpers shared by the benchmark files. */
export interface Timing {
  readonly iterations: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** Runs `fn` for at least `minSeconds` (after `warmup` calls) and reports calls per second. */
export async function measure(fn: () => unknown | Promise<unknown>, { minSeconds = 2, warmup = 2, minIterations = 3 } = {}): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const start = process.hrtime.bigint();
  let iterations = 0;
  let seconds = 0;
  while (seconds < minSeconds || iterations < minIterations) {
    await fn();
    iterations++;
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return { iterations, seconds, perSecond: iterations / seconds };
}

export function printTable(rows: readonly Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const text = rows.map((r) => columns.map((c) => (typeof r[c] === 'number' ? formatNumber(r[c] as number) : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
  console.log(columns.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  for (const t of text) console.log(t.map((v, i) => v.padEnd(widths[i]!)).join('  '));
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(1) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}
