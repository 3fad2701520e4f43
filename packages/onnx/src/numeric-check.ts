import { NumericError, type Tensor } from '@mmvp/core';

/**
 * The one numeric check every encoder output passes (vision tower: tapped features and pooled
 * embeddings; CLIP text embeddings): a NaN or infinite value fails with a NumericError naming the
 * model file, the output and the first bad element (flat index and coordinates), so broken weights
 * never become a features file. One pass over the data; returns the tensor unchanged.
 */
export function checkFiniteOutput(t: Tensor, modelFile: string, output: string): Tensor {
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value - value === 0) continue; // finite; NaN - NaN and Inf - Inf are NaN
    let bad = 0;
    for (let j = i; j < data.length; j++) if (!Number.isFinite(data[j]!)) bad++;
    const kind = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '-Infinity';
    throw new NumericError(
      `${modelFile}: output '${output}' has ${kind} at index ${i} [${coordinates(i, t.dims).join(', ')}] of shape [${t.dims.join(', ')}] ` +
        `(${bad} of ${data.length} values are not finite); the model's weights or the input are broken, nothing was written`,
    );
  }
  return t;
}

function coordinates(index: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length).fill(0);
  let rest = index;
  for (let axis = dims.length - 1; axis >= 0; axis--) {
    const size = dims[axis]!;
    out[axis] = size > 0 ? rest % size : 0;
    rest = size > 0 ? Math.floor(rest / size) : 0;
  }
  return out;
}
