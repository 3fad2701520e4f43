import { InvalidArgumentError } from '@mmvp/core';
import { planPairedComparison } from '@mmvp/metrics';
import type { Command } from 'commander';
import { positiveIntegerOption } from '../shared/positive-integer-option';

interface PowerFlags {
  pairs?: string;
  difference?: string;
  discordant: string;
  power: string;
  alpha: string;
  json?: boolean;
}

/** A number flag in (low, high] or (low, high), else one line naming the flag, the range and the value given. */
function shareOption(flag: string, value: string, inclusiveHigh: boolean): number {
  const number = Number(value);
  if (!(number > 0 && (inclusiveHigh ? number <= 1 : number < 1))) throw new InvalidArgumentError(`${flag} must be a number in (0, 1${inclusiveHigh ? ']' : ')'}, got '${value}'`);
  return number;
}

/** `mmvp power`: minimum detectable paired difference for N pairs, or pairs needed for D points (planPairedComparison of @mmvp/metrics). */
export function registerPower(program: Command): void {
  program
    .command('power')
    .description(
      'power of a paired comparison of two models on the same pairs (exact power of the exact McNemar test, searched from Connor 1987): --pairs N gives the smallest pair-accuracy difference N pairs resolve, ' +
        '--difference D the pairs needed to resolve D points; 80% power, two-sided 5% by default',
    )
    .option('--pairs <n>', 'pairs both models answer (MMVP has 150)')
    .option('--difference <points>', 'pair-accuracy difference to resolve, in points (e.g. 3.3)')
    .option('--discordant <share>', 'share of pairs on which the two models disagree, one right and one wrong (a comparison prints onlyA + onlyB over pairs)', '0.2')
    .option('--power <share>', 'wanted power', '0.8')
    .option('--alpha <share>', 'two-sided significance level', '0.05')
    .option('--json', 'print { minimumDetectableDifference, pairsNeeded, discordant, power, alpha } on stdout')
    .action((flags: PowerFlags) => {
      if ((flags.pairs === undefined) === (flags.difference === undefined)) throw new InvalidArgumentError('give exactly one of --pairs N (minimum detectable difference) or --difference D (pairs needed)');
      const difference = flags.difference === undefined ? undefined : Number(flags.difference);
      if (difference !== undefined && !(difference > 0)) throw new InvalidArgumentError(`--difference must be a positive number of points, got '${flags.difference}'`);
      const plan = planPairedComparison({
        ...(flags.pairs === undefined ? { difference } : { pairs: positiveIntegerOption('--pairs', flags.pairs) }),
        discordant: shareOption('--discordant', flags.discordant, true),
        power: shareOption('--power', flags.power, false),
        alpha: shareOption('--alpha', flags.alpha, false),
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(plan)}\n`);
        return;
      }
      const settings = `${Math.round(plan.power * 100)}% power, two-sided ${plan.alpha * 100}%, ${Math.round(plan.discordant * 1000) / 10}% of pairs discordant`;
      process.stdout.write(
        flags.pairs === undefined
          ? `${plan.pairsNeeded} pairs resolve a difference of ${plan.minimumDetectableDifference} points (${settings})\n`
          : `${plan.pairsNeeded} pairs resolve differences of ${plan.minimumDetectableDifference.toFixed(1)} points or more (${settings})\n`,
      );
    });
}
