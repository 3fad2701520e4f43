import { describe, expect, it } from 'vitest';
import { BINOMIAL_METHODS, clusteredCoverage, exactCoverage, stratifiedCoverage } from './interval-coverage';

// The README's coverage table comes from benchmarks/src/interval-coverage.bench.ts (the full grid,
// n up to 1350); here the cheaper half of it, as properties the methods must keep.
const P = [0, 0.02, 0.25, 0.5];

describe('coverage of the 95% intervals (exact over the binomial, simulated for clusters and strata)', () => {
  it('Clopper-Pearson covers at least 95% for every p and n (its defining property: an independent check of the bounds)', () => {
    for (const n of [15, 150]) for (const p of P) expect(exactCoverage(BINOMIAL_METHODS['clopper-pearson']!, n, p)).toBeGreaterThanOrEqual(0.95);
  });

  it('Wilson stays within 93-98% on the grid, where the percentile bootstrap drops to 26% (n = 15, p = 0.02)', () => {
    for (const n of [15, 150])
      for (const p of P) {
        const coverage = exactCoverage(BINOMIAL_METHODS.wilson!, n, p);
        expect(coverage).toBeGreaterThanOrEqual(0.93);
        expect(coverage).toBeLessThanOrEqual(p === 0 ? 1 : 0.98);
      }
    expect(exactCoverage(BINOMIAL_METHODS['percentile bootstrap']!, 15, 0.02)).toBeLessThan(0.3);
  });

  it('the clustered (question) and stratified (average over patterns) Wilson intervals cover 93-97% in simulation', () => {
    for (const p of [0.25, 0.5]) {
      const clustered = clusteredCoverage(150, p, 0.5, 1500, 3);
      expect(clustered).toBeGreaterThan(0.93);
      expect(clustered).toBeLessThan(0.97);
      const stratified = stratifiedCoverage(9, 15, p, 1500, 0, 4).wilson;
      expect(stratified).toBeGreaterThan(0.93);
      expect(stratified).toBeLessThan(0.97);
    }
  });
});
