import { describe, expect, it } from 'vitest';
import { clusteredWilsonInterval } from './clustered-interval';

/**
 * lmms-eval v0.6's clustered standard error (lmms_eval/api/metrics.py `clustered_stderr`, Equation 4 of
 * Miller 2024, arXiv 2411.00640), re-derived from its documented formula:
 * se^2 = Var(s) / n + (1 / n^2) sum_c sum_{i != j in c} (s_i - mean)(s_j - mean), Var with n - 1.
 * Its interval is the normal one, mean +- 1.96 se. Here: per-question scores, the pair as the cluster.
 * tools/compare_lmms_eval_clustered_se.py runs lmms-eval's own function (Python, not in CI) on a demo's
 * answers and on the all-wrong and one-right-per-pair cases below, and prints the same intervals.
 */
function lmmsEvalClusteredInterval(clusters: readonly (readonly number[])[]): [number, number] {
  const scores = clusters.flat();
  const n = scores.length;
  const mean = scores.reduce((sum, s) => sum + s, 0) / n;
  const variance = scores.reduce((sum, s) => sum + (s - mean) ** 2, 0) / (n - 1);
  let cross = 0;
  for (const cluster of clusters) {
    const deviations = cluster.map((s) => s - mean);
    const total = deviations.reduce((sum, d) => sum + d, 0);
    cross += total * total - deviations.reduce((sum, d) => sum + d * d, 0);
  }
  const se = Math.sqrt(Math.max(0, variance / n + cross / (n * n)));
  return [100 * (mean - 1.96 * se), 100 * (mean + 1.96 * se)];
}

/** 150 MMVP pairs of two answers: `pattern(k)` = [first right, second right]. */
const pairs = (pattern: (k: number) => [number, number]) => Array.from({ length: 150 }, (_, k) => pattern(k));
const asClusters = (answers: readonly (readonly number[])[]) => answers.map((pair) => [pair.reduce((sum, s) => sum + s, 0), pair.length] as [number, number]);

// packages/metrics/README.md ("Compared with lmms-eval's standard errors") explains these cases, with the output of lmms-eval's own code.
describe("per-question accuracy with the pair as the cluster: lmms-eval's clustered SE vs our clustered Wilson", () => {
  it('agree where answers vary within and between pairs (60% right, answers of a pair alike)', () => {
    const answers = pairs((k) => (k % 5 < 2 ? [1, 1] : k % 5 === 2 ? [1, 0] : k % 5 === 3 ? [0, 1] : [0, 0]));
    const theirs = lmmsEvalClusteredInterval(answers);
    const ours = clusteredWilsonInterval(asClusters(answers)).ci95;
    expect(Math.abs(theirs[0] - ours[0])).toBeLessThan(0.6);
    expect(Math.abs(theirs[1] - ours[1])).toBeLessThan(0.6);
  });

  it('part at the boundary: 0 of 300 is [0, 0] for the normal interval, [0, 2.5] for ours (each pair counted once)', () => {
    const answers = pairs(() => [0, 0]);
    expect(lmmsEvalClusteredInterval(answers)).toEqual([0, 0]);
    const ours = clusteredWilsonInterval(asClusters(answers)).ci95;
    expect(ours[0]).toBe(0);
    expect(ours[1]).toBeCloseTo(2.5, 1);
  });

  it("part when a pair's answers disagree by construction (one right per pair, a model that always says 'a'): their se is about 0, ours is the binomial one", () => {
    const answers = pairs(() => [1, 0]);
    const theirs = lmmsEvalClusteredInterval(answers);
    expect(theirs[1] - theirs[0]).toBeLessThan(1); // negative intra-pair correlation cancels the variance
    const ours = clusteredWilsonInterval(asClusters(answers));
    expect(ours.designEffect).toBe(1); // clamped: never narrower than independent questions
    expect(ours.ci95[1] - ours.ci95[0]).toBeGreaterThan(7);
  });
});
