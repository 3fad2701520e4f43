import { formatWithInterval } from '@mmvp/metrics';
import type { SweepRatioResult, SweepResult } from '@mmvp/study';

const interval = (value: number, ci: readonly [number, number]) => formatWithInterval(value, ci);

/** What an unresolved comparison could have resolved with its pairs (80% power, from the observed discordance). */
const unresolvedNote = (detectable: number | null) => (detectable === null ? '' : `: these pairs resolve ${detectable.toFixed(1)} points or more at 80% power`);

/** One ratio's line: pair and question accuracy with intervals, the paired comparison, the proxy. */
export function ratioLine(result: SweepRatioResult): string {
  const comparison = result.comparison;
  const versus =
    comparison === undefined
      ? ''
      : `; vs ${comparison.baseline} ${comparison.difference >= 0 ? '+' : ''}${interval(comparison.difference, comparison.differenceCi95)} points (McNemar p ${comparison.mcnemarP.toPrecision(2)}${comparison.mcnemarPHolm === undefined ? '' : `, Holm ${comparison.mcnemarPHolm.toPrecision(2)}`}${comparison.resolved ? '' : `, not resolved${unresolvedNote(comparison.minimumDetectableDifference)}`})`;
  const proxy =
    result.instructionFollowing === null
      ? ''
      : `; proxy accuracy ${result.instructionFollowing.toFixed(1)}% (${result.proxyQuestions} questions, 95% CI [${result.instructionFollowingCi95![0].toFixed(1)}, ${result.instructionFollowingCi95![1].toFixed(1)}])`;
  return `r=${result.ratio}: MMVP pair accuracy ${interval(result.pairAccuracy, result.pairAccuracyCi95)} (questions ${interval(result.questionAccuracy, result.questionAccuracyCi95)})${versus}${proxy}`;
}

/** The final table on stdout: one row per ratio, every score with its 95% interval. */
export function sweepTable(result: SweepResult): string {
  const proxy = result.ratios.some((r) => r.instructionFollowing !== null);
  const header = ['r', 'pair acc. [95% CI]', 'question acc. [95% CI]', `vs ${result.baseline} (points) [95% CI]`, 'McNemar p', 'Holm p', 'resolved (80% power at)', ...(proxy ? ['proxy acc. [95% CI]'] : [])];
  const rows = result.ratios.map((r) => [
    r.text,
    interval(r.pairAccuracy, r.pairAccuracyCi95),
    interval(r.questionAccuracy, r.questionAccuracyCi95),
    r.comparison === undefined ? '(baseline)' : `${r.comparison.difference >= 0 ? '+' : ''}${interval(r.comparison.difference, r.comparison.differenceCi95)}`,
    r.comparison === undefined ? '' : r.comparison.mcnemarP.toPrecision(2),
    r.comparison?.mcnemarPHolm === undefined ? '' : r.comparison.mcnemarPHolm.toPrecision(2),
    r.comparison === undefined ? '' : r.comparison.resolved ? 'yes' : `no (${r.comparison.minimumDetectableDifference?.toFixed(1) ?? '-'})`,
    ...(proxy ? [r.instructionFollowingCi95 === null ? '' : interval(r.instructionFollowing!, r.instructionFollowingCi95)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const protocol = result.protocol === 'per-ratio' ? 'per-ratio (one trained model per ratio; encoders run once per image)' : 'fixed-adapter (one adapter and LLM; only the mixing ratio changes)';
  return [`A-MoF sweep, protocol ${protocol}; MMVP pair accuracy over ${result.ratios[0]!.pairs} pairs (%)`, line(header), ...rows.map(line)].join('\n');
}
