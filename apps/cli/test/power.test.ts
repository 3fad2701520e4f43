import { describe, expect, it } from 'vitest';
import { mmvp } from './helpers/run-cli';

// Reference values: Connor (1987)'s McNemar sample size, computed by hand for the issue's two cases:
// n = (1.95996 sqrt(0.2) + 0.84162 sqrt(0.2 - 0.033^2))^2 / 0.033^2 = 1439.4 -> 1440 pairs; solving the
// same formula for delta at n = 150 gives 10.15 points. mmvp power prints the exact McNemar test's power
// (checked against 10,000 simulated studies in @mmvp/metrics' power.test.ts), a little above Connor's
// normal approximation at these sizes: 10.6 points and 1,492 pairs.
describe('mmvp power', () => {
  it('smoke: --pairs 150 --discordant 0.2 --json: about 10 points; --difference 3.3 prints about 1,490 pairs (Connor: 10.1 and 1,440)', async () => {
    const detectable = await mmvp('power', '--pairs', '150', '--discordant', '0.2', '--json');
    expect(detectable.code).toBe(0);
    const plan = JSON.parse(detectable.stdout) as { minimumDetectableDifference: number; pairsNeeded: number };
    expect(plan.minimumDetectableDifference).toBeGreaterThan(10.15);
    expect(plan.minimumDetectableDifference).toBeLessThan(11);
    expect(plan.pairsNeeded).toBe(150);
    const text = await mmvp('power', '--difference', '3.3', '--discordant', '0.2');
    expect(text.stdout).toContain('1492 pairs resolve a difference of 3.3 points (80% power, two-sided 5%, 20% of pairs discordant)');
  });

  // A share outside (0, 1] is refused by the one flag parser (apps/cli/src/flags/flag-table.test.ts), a difference
  // above the discordant share by pairsNeeded (packages/metrics/src/power.test.ts); here, the command's own rule.
  it('refuses both or neither of --pairs and --difference in one line', async () => {
    const neither = await mmvp('power');
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/exactly one of --pairs N .* or --difference D/);
    const both = await mmvp('power', '--pairs', '150', '--difference', '3');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/exactly one of --pairs N .* or --difference D/);
  });
});
