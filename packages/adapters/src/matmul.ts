/**
 * Transposes a PyTorch Linear weight [out, in] into [in, out] so the product streams rows of it.
 */
export function transposeWeight(weight: Float32Array, outSize: number, inSize: number): Float32Array {
  const transposed = new Float32Array(weight.length); // [in, out]
  const block = 64;
  for (let o0 = 0; o0 < outSize; o0 += block) {
    for (let i0 = 0; i0 < inSize; i0 += block) {
      const oEnd = Math.min(outSize, o0 + block);
      const iEnd = Math.min(inSize, i0 + block);
      for (let o = o0; o < oEnd; o++) for (let i = i0; i < iEnd; i++) transposed[i * outSize + o] = weight[o * inSize + i]!;
    }
  }
  return transposed;
}

const rowBlock = 4;
const columnBlock = 512;

/**
 * y = x W^T + b for x [M, K], weightTransposed [K, N], bias [N] -> y [M, N].
 * Tiled: 4 rows of x share each streamed row of W^T, over column blocks that keep the four float64
 * accumulator rows in L1; accumulation is in float64 and rounded to float32 once.
 */
export function linearForward(x: Float32Array, rows: number, inSize: number, weightTransposed: Float32Array, bias: Float32Array, outSize: number): Float32Array {
  const y = new Float32Array(rows * outSize); // [M, N]
  const acc0 = new Float64Array(columnBlock);
  const acc1 = new Float64Array(columnBlock);
  const acc2 = new Float64Array(columnBlock);
  const acc3 = new Float64Array(columnBlock);
  for (let r0 = 0; r0 < rows; r0 += rowBlock) {
    const count = Math.min(rowBlock, rows - r0);
    // Missing rows of the last block read row r0 again; their results are not written.
    const x0 = r0 * inSize;
    const x1 = (count > 1 ? r0 + 1 : r0) * inSize;
    const x2 = (count > 2 ? r0 + 2 : r0) * inSize;
    const x3 = (count > 3 ? r0 + 3 : r0) * inSize;
    for (let c0 = 0; c0 < outSize; c0 += columnBlock) {
      const width = Math.min(columnBlock, outSize - c0);
      for (let j = 0; j < width; j++) {
        const b = bias[c0 + j]!;
        acc0[j] = b;
        acc1[j] = b;
        acc2[j] = b;
        acc3[j] = b;
      }
      for (let k = 0; k < inSize; k++) {
        const v0 = x[x0 + k]!;
        const v1 = x[x1 + k]!;
        const v2 = x[x2 + k]!;
        const v3 = x[x3 + k]!;
        const w = k * outSize + c0;
        for (let j = 0; j < width; j++) {
          const wv = weightTransposed[w + j]!;
          acc0[j] += v0 * wv;
          acc1[j] += v1 * wv;
          acc2[j] += v2 * wv;
          acc3[j] += v3 * wv;
        }
      }
      const accumulators = [acc0, acc1, acc2, acc3];
      for (let r = 0; r < count; r++) {
        const acc = accumulators[r]!;
        const base = (r0 + r) * outSize + c0;
        for (let j = 0; j < width; j++) y[base + j] = acc[j]!;
      }
    }
  }
  return y;
}
