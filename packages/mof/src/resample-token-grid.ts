import { ShapeMismatchError, formatShape, type Tensor } from '@mmvp/core';

/** Source positions and weights of one axis, as PyTorch's bilinear with align_corners=False. */
function axisWeights(inSize: number, outSize: number): { lower: Int32Array; upper: Int32Array; fraction: Float64Array } {
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const fraction = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const source = Math.max(0, (o + 0.5) * scale - 0.5); // negative sources clamp to 0
    const i0 = Math.min(Math.floor(source), inSize - 1);
    lower[o] = i0;
    upper[o] = Math.min(i0 + 1, inSize - 1);
    fraction[o] = source - i0;
  }
  return { lower, upper, fraction };
}

/**
 * Resizes a row-major token grid [B, rows*cols, D] to [B, outRows*outCols, D] with bilinear
 * interpolation, the same as `F.interpolate(x, size, mode='bilinear', align_corners=False)` on the
 * [B, D, rows, cols] view. Used when two encoders give different patch grids.
 */
export function resampleTokenGrid(features: Tensor, grid: readonly [number, number], target: readonly [number, number]): Tensor {
  const [rows, cols] = grid;
  const [outRows, outCols] = target;
  if (features.dims.length !== 3 || features.dims[1] !== rows * cols) {
    throw new ShapeMismatchError(`cannot resample features ${formatShape(features.dims)} as a ${rows}x${cols} token grid: expected [B, ${rows * cols}, D]`);
  }
  const [batch, , width] = features.dims as [number, number, number];
  if (rows === outRows && cols === outCols) return features;
  const y = axisWeights(rows, outRows);
  const x = axisWeights(cols, outCols);
  const source = features.data;
  const out = new Float32Array(batch * outRows * outCols * width); // [B, outRows*outCols, D]
  for (let b = 0; b < batch; b++) {
    const inBase = b * rows * cols * width;
    for (let r = 0; r < outRows; r++) {
      const fy = y.fraction[r]!;
      const top = inBase + y.lower[r]! * cols * width;
      const bottom = inBase + y.upper[r]! * cols * width;
      for (let c = 0; c < outCols; c++) {
        const fx = x.fraction[c]!;
        const left = x.lower[c]! * width;
        const right = x.upper[c]! * width;
        const w00 = (1 - fy) * (1 - fx);
        const w01 = (1 - fy) * fx;
        const w10 = fy * (1 - fx);
        const w11 = fy * fx;
        const o = ((b * outRows + r) * outCols + c) * width;
        for (let d = 0; d < width; d++) {
          out[o + d] = w00 * source[top + left + d]! + w01 * source[top + right + d]! + w10 * source[bottom + left + d]! + w11 * source[bottom + right + d]!;
        }
      }
    }
  }
  return { data: out, dims: [batch, outRows * outCols, width] };
}

/** The grid of N tokens: the given one, or a square one when N is a perfect square. */
export function tokenGrid(tokens: number, given: readonly [number, number] | undefined, what: string): readonly [number, number] {
  if (given !== undefined) {
    if (given[0] * given[1] !== tokens) throw new ShapeMismatchError(`${what}: grid ${given[0]}x${given[1]} does not hold ${tokens} tokens`);
    return given;
  }
  const side = Math.round(Math.sqrt(tokens));
  if (side * side !== tokens) throw new ShapeMismatchError(`${what}: ${tokens} tokens are not a square grid; give the patch grid [rows, cols]`);
  return [side, side];
}
