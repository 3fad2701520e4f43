// onnxruntime's two arithmetics of an 8-bit MatMulInteger, written out (issue #25), so a test can show
// what a CPU without VNNI computes on any machine. The same model as tools/emulate_int8_kernels.py.
import type { Int8Arithmetic } from '../cpu-features';

/** The result [M, N] and how many int16 pair sums were clamped. */
export interface EmulatedProduct {
  readonly values: Float64Array;
  readonly saturated: number;
  readonly pairSums: number;
}

/**
 * sum_k (A[m, k] - zpA) * (B[k, n] - zpB[n]) for A [M, K] uint8 and B [K, N] int8 or uint8 (zpB per
 * tensor: one value, per channel: N values).
 * - 'exact': all products summed in int32 (VNNI vpdpbusd, arm64, and u8u8 on every CPU).
 * - 'int16-pair-saturating' (u8s8 on x86 without VNNI): vpmaddubsw adds the raw products of neighbouring
 *   k = 2j, 2j + 1 into an int16 clamped to [-32768, 32767]; vpmaddwd sums those exactly; zpA times the
 *   column sum of B is subtracted apart (exact). For uint8 B it is the exact arithmetic (that kernel widens first).
 */
export function emulateMatMulInteger(a: Uint8Array, b: Int8Array | Uint8Array, shape: { m: number; k: number; n: number }, zeroPoints: { a: number; b: ArrayLike<number> }, arithmetic: Int8Arithmetic): EmulatedProduct {
  const { m, k, n } = shape;
  const values = new Float64Array(m * n); // [M, N]
  const zpB = (col: number) => (zeroPoints.b.length > 1 ? zeroPoints.b[col]! : (zeroPoints.b[0] ?? 0));
  const saturating = arithmetic === 'int16-pair-saturating' && b instanceof Int8Array;
  let saturated = 0;
  let pairSums = 0;
  for (let row = 0; row < m; row++) {
    for (let col = 0; col < n; col++) {
      let sum = 0;
      if (!saturating) {
        for (let i = 0; i < k; i++) sum += (a[row * k + i]! - zeroPoints.a) * (b[i * n + col]! - zpB(col));
      } else {
        let columnSum = 0;
        for (let i = 0; i < k; i += 2) {
          const w0 = b[i * n + col]!;
          const w1 = i + 1 < k ? b[(i + 1) * n + col]! : 0;
          const pair = a[row * k + i]! * w0 + (i + 1 < k ? a[row * k + i + 1]! * w1 : 0);
          const clamped = Math.min(32767, Math.max(-32768, pair));
          if (clamped !== pair) saturated++;
          pairSums++;
          sum += clamped;
          columnSum += w0 + w1;
        }
        sum -= zeroPoints.a * columnSum; // zpB is 0 for int8 weights
      }
      values[row * n + col] = sum;
    }
  }
  return { values, saturated, pairSums };
}
