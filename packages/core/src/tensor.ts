import { NumericError, ShapeMismatchError } from './errors';

/** A dense float32 tensor in C order: `data.length === product(dims)`. */
export interface Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Number of elements of a shape (the product of its dimensions; 1 for a scalar). */
export function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** A shape as text for messages, e.g. `[2, 256, 1024]`. */
export function formatShape(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/** Creates a tensor, checking that the data length matches the shape. */
export function tensor(data: Float32Array, dims: readonly number[]): Tensor {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeMismatchError(`invalid dimension ${d} in shape ${formatShape(dims)}`);
  }
  const expected = product(dims);
  if (data.length !== expected) {
    throw new ShapeMismatchError(`tensor data has ${data.length} values but shape ${formatShape(dims)} needs ${expected}`);
  }
  return { data, dims: [...dims] };
}

/**
 * A float32 tensor of the given shape, filled with zeros.
 * @public a tensor constructor beside `tensor`, for a caller's own tensor code
 */
export function zeros(dims: readonly number[]): Tensor {
  return tensor(new Float32Array(product(dims)), dims);
}

/**
 * Checks a tensor's shape against an expected pattern; `null` entries match any size.
 * `what` names the tensor in the error: "CLIP features [1, 256, 1024] do not match expected [B, 256, 768]".
 */
export function assertShape(t: Tensor, expected: readonly (number | null)[], what: string, names?: readonly string[]): void {
  const ok = t.dims.length === expected.length && expected.every((e, i) => e === null || e === t.dims[i]);
  if (!ok) {
    const pattern = expected.map((e, i) => (e === null ? (names?.[i] ?? '?') : String(e)));
    throw new ShapeMismatchError(`${what} has shape ${formatShape(t.dims)}, expected [${pattern.join(', ')}]`);
  }
}

/**
 * Same dims, element for element.
 * @public a shape check beside assertShape, for a caller's own tensor code
 */
export function assertSameShape(a: Tensor, b: Tensor, whatA: string, whatB: string): void {
  if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
    throw new ShapeMismatchError(`${whatA} ${formatShape(a.dims)} and ${whatB} ${formatShape(b.dims)} must have the same shape`);
  }
}

/** Throws a NumericError naming the first non-finite value's position. */
export function assertFinite(t: Tensor, what: string): void {
  const { data } = t;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new NumericError(`${what} ${formatShape(t.dims)} has a non-finite value (${data[i]}) at flat index ${i}`);
    }
  }
}

/** Rows [start, end) of the first axis, as a view (no copy). */
export function sliceBatch(t: Tensor, start: number, end: number): Tensor {
  const [b, ...rest] = t.dims;
  if (b === undefined || start < 0 || end > b || start > end) {
    throw new ShapeMismatchError(`cannot take batch rows [${start}, ${end}) of a tensor of shape ${formatShape(t.dims)}`);
  }
  const inner = product(rest);
  return { data: t.data.subarray(start * inner, end * inner), dims: [end - start, ...rest] };
}

/** Concatenates tensors along the first axis. */
export function concatBatch(parts: readonly Tensor[]): Tensor {
  if (parts.length === 0) throw new ShapeMismatchError('cannot concatenate an empty list of tensors');
  const rest = parts[0]!.dims.slice(1);
  let total = 0;
  for (const p of parts) {
    if (p.dims.length !== rest.length + 1 || p.dims.slice(1).some((d, i) => d !== rest[i])) {
      throw new ShapeMismatchError(`cannot concatenate ${formatShape(p.dims)} with [?, ${rest.join(', ')}]`);
    }
    total += p.dims[0]!;
  }
  const out = new Float32Array(total * product(rest));
  let offset = 0;
  for (const p of parts) {
    out.set(p.data, offset);
    offset += p.data.length;
  }
  return { data: out, dims: [total, ...rest] };
}
