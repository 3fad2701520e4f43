import * as ort from 'onnxruntime-node';
import { FileFormatError, tensor, type Tensor } from '@mmvp/core';

/** Wraps an mmvp float32 tensor as an ORT tensor (no copy). */
export function tensorToOrt(t: Tensor): ort.Tensor {
  return new ort.Tensor('float32', t.data, t.dims);
}

/** Converts a float ORT output (float32, or float16 from an `_fp16` export) into an mmvp tensor. */
export function ortToTensor(t: ort.Tensor, what = 'ONNX output'): Tensor {
  const dims = t.dims.map(Number);
  if (t.type === 'float32') return tensor(t.data as Float32Array, dims);
  if (t.type === 'float16') {
    const source = t.data as unknown as ArrayLike<number>;
    const out = new Float32Array(source.length);
    // onnxruntime-node returns a Float16Array where the runtime has one, else raw uint16 bits.
    if (source instanceof Uint16Array) for (let i = 0; i < source.length; i++) out[i] = float16BitsToNumber(source[i]!);
    else for (let i = 0; i < source.length; i++) out[i] = source[i]!;
    return tensor(out, dims);
  }
  if (t.type === 'float64') return tensor(Float32Array.from(t.data as Float64Array), dims);
  throw new FileFormatError(`${what} has element type '${t.type}'; expected a float tensor (float32, float16 or float64)`);
}

/** IEEE 754 half precision bits -> number. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** int64 ids (token ids) as an ORT tensor. */
export function int64TensorToOrt(data: BigInt64Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', data, dims);
}
