import type { Command } from 'commander';
import { z } from 'zod';
import { InvalidArgumentError } from '@mmvp/core';
import { planPairedComparison } from '@mmvp/metrics';
import { declareFlags } from '../flags/declare-flags';
import type { FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { jsonFlag } from '../flags/shared-flags';

type PlanOptions = Parameters<typeof planPairedComparison>[0];
const share = z.number().gt(0).lt(1);

/** planPairedComparison's options as flags (@mmvp/metrics takes a plain interface: each flag carries its range). */
const powerFlags: FlagTable<PlanOptions> = {
  pairs: { flag: '--pairs <n>', schema: z.number().int().positive().optional(), description: 'pairs both models answer (MMVP has 150)' },
  difference: { flag: '--difference <points>', schema: z.number().positive().optional(), description: 'pair-accuracy difference to resolve, in points (e.g. 3.3)' },
  discordant: {
    flag: '--discordant <share>',
    cliDefault: '0.2',
    schema: z.number().gt(0).max(1),
    description: 'share of pairs on which the two models disagree, one right and one wrong (a comparison prints onlyA + onlyB over pairs)',
  },
  power: { flag: '--power <share>', schema: share.default(0.8), description: 'wanted power' },
  alpha: { flag: '--alpha <share>', schema: share.default(0.05), description: 'two-sided significance level' },
};
const cliFlags: FlagTable<{ json?: boolean }> = { json: jsonFlag('print { minimumDetectableDifference, pairsNeeded, discordant, power, alpha } on stdout') };

/** `mmvp power`: minimum detectable paired difference for N pairs, or pairs needed for D points (planPairedComparison of @mmvp/metrics). */
export function registerPower(program: Command): void {
  const command = program
    .command('power')
    .description(
      'power of a paired comparison of two models on the same pairs (exact power of the exact McNemar test, searched from Connor 1987): --pairs N gives the smallest pair-accuracy difference N pairs resolve, ' +
        '--difference D the pairs needed to resolve D points; 80% power, two-sided 5% by default',
    );
  declareFlags(declareFlags(command, powerFlags), cliFlags).action((values: Record<string, unknown>) => {
    const options = optionsFromFlags(powerFlags, values);
    if ((options.pairs === undefined) === (options.difference === undefined)) throw new InvalidArgumentError('give exactly one of --pairs N (minimum detectable difference) or --difference D (pairs needed)');
    const plan = planPairedComparison(options as PlanOptions);
    if (values['json']) return void process.stdout.write(`${JSON.stringify(plan)}\n`);
    const settings = `${Math.round(plan.power * 100)}% power, two-sided ${plan.alpha * 100}%, ${Math.round(plan.discordant * 1000) / 10}% of pairs discordant`;
    process.stdout.write(
      options.pairs === undefined
        ? `${plan.pairsNeeded} pairs resolve a difference of ${plan.minimumDetectableDifference} points (${settings})\n`
        : `${plan.pairsNeeded} pairs resolve differences of ${plan.minimumDetectableDifference.toFixed(1)} points or more (${settings})\n`,
    );
  });
}
