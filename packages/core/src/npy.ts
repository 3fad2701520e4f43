import { readFile, writeFile } from 'node:fs/promises';
import { FileFormatError, InvalidArgumentError, listChoices } from './errors';
import { formatShape, product } from './tensor';

/** Typed arrays that .npy files map to, by NumPy dtype descr (little-endian). */
export type NpyArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
/** NumPy dtypes that .npy reading and writing support. */
export type NpyDtype = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';

/** The contents of a .npy file: flat data, shape and dtype. */
export interface NpyData {
  readonly data: NpyArray;
  readonly dims: readonly number[];
  readonly dtype: NpyDtype;
}

const descrToDtype: Record<string, NpyDtype> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i4': 'int32',
  '<i8': 'int64',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '|b1': 'bool',
};
const dtypeToDescr: Record<NpyDtype, string> = {
  float32: '<f4',
  float64: '<f8',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  bool: '|b1',
};
const bytesPerElement: Record<NpyDtype, number> = { float32: 4, float64: 8, int32: 4, int64: 8, uint8: 1, bool: 1 };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function dtypeOf(data: NpyArray): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'uint8';
}

/** Encodes an array as a .npy v1.0 file (C order, little-endian). */
export function encodeNpy(data: NpyArray, dims: readonly number[], dtype: NpyDtype = dtypeOf(data)): Uint8Array {
  if (product(dims) !== data.length) {
    throw new InvalidArgumentError(`cannot write .npy: ${data.length} values do not fill shape ${formatShape(dims)}`);
  }
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${dtypeToDescr[dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // The magic (6) + version (2) + header length (2) + header + '\n' is padded to a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new InvalidArgumentError(`cannot write .npy: shape ${formatShape(dims)} gives a header too long for v1.0`);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}

/** Decodes a .npy file (versions 1.0, 2.0 and 3.0; C order only). `source` names the file in errors. */
export function decodeNpy(bytes: Uint8Array, source = '<buffer>'): NpyData {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new FileFormatError(`${source} is not a .npy file (the magic string \\x93NUMPY is missing)`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new FileFormatError(`${source} has .npy format version ${major}; supported versions are 1, 2 and 3`);
  }
  if (headerStart + headerLength > bytes.length) throw new FileFormatError(`${source} is truncated inside its .npy header`);
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new FileFormatError(`${source} has a malformed .npy header: ${header.trim()}`);
  }
  const dtype = descrToDtype[descr];
  if (dtype === undefined) {
    throw new FileFormatError(`${source} has dtype '${descr}'; supported dtypes are ${listChoices(Object.keys(descrToDtype))}`);
  }
  if (fortran === 'True') throw new FileFormatError(`${source} is in Fortran order; save it with C order (np.ascontiguousarray)`);
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = product(dims);
  const dataStart = headerStart + headerLength;
  const byteLength = count * bytesPerElement[dtype];
  if (bytes.length - dataStart < byteLength) {
    throw new FileFormatError(`${source} is truncated: shape ${formatShape(dims)} of ${dtype} needs ${byteLength} data bytes, the file has ${bytes.length - dataStart}`);
  }
  // Copy into a fresh, aligned buffer (the data offset need not be aligned for the element size).
  const copy = new Uint8Array(byteLength); // (Buffer.slice would be a view into Node's pool)
  copy.set(bytes.subarray(dataStart, dataStart + byteLength));
  const raw = copy.buffer;
  const data: NpyArray =
    dtype === 'float32' ? new Float32Array(raw) : dtype === 'float64' ? new Float64Array(raw) : dtype === 'int32' ? new Int32Array(raw) : dtype === 'int64' ? new BigInt64Array(raw) : new Uint8Array(raw);
  return { data, dims, dtype };
}

/** Reads a NumPy .npy file (little-endian, C order). */
export async function readNpy(path: string): Promise<NpyData> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new FileFormatError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return decodeNpy(bytes, path);
}

/** Reads a .npy as float32 (float64 and integer arrays are converted). */
export async function readNpyFloat32(path: string): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const npy = await readNpy(path);
  if (npy.data instanceof Float32Array) return { data: npy.data, dims: npy.dims };
  const out = new Float32Array(npy.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(npy.data[i]!);
  return { data: out, dims: npy.dims };
}

/** Writes a NumPy .npy file (little-endian, C order). */
export async function writeNpy(path: string, data: NpyArray, dims: readonly number[], dtype?: NpyDtype): Promise<void> {
  await writeFile(path, encodeNpy(data, dims, dtype));
}
