import { readFile, writeFile } from 'node:fs/promises';
import { FileFormatError, listChoices } from './errors';
import { formatShape, product, type Tensor } from './tensor';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const supportedDtypes = ['F32', 'F16', 'BF16', 'F64'] as const;

/** IEEE half precision to float32. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Parses a safetensors file into float32 tensors (F32, F16, BF16 and F64 are converted).
 * Header: 8-byte little-endian length, then JSON {name: {dtype, shape, data_offsets}}, then the data.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): Map<string, Tensor> {
  if (bytes.length < 8) throw new FileFormatError(`${source} is not a safetensors file (shorter than its 8-byte header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength <= 0 || 8 + headerLength > bytes.length) {
    throw new FileFormatError(`${source} is not a safetensors file or is truncated (header length ${headerLength}, file size ${bytes.length})`);
  }
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (cause) {
    throw new FileFormatError(`${source} has a safetensors header that is not valid JSON`, { cause });
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, Tensor>();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = value as HeaderEntry;
    if (!(supportedDtypes as readonly string[]).includes(entry.dtype)) {
      throw new FileFormatError(`${source}: tensor '${name}' has dtype ${entry.dtype}; supported dtypes are ${listChoices(supportedDtypes)}`);
    }
    const [begin, end] = entry.data_offsets;
    const count = product(entry.shape);
    const width = entry.dtype === 'F32' ? 4 : entry.dtype === 'F64' ? 8 : 2;
    if (end - begin !== count * width || dataStart + end > bytes.length) {
      throw new FileFormatError(`${source}: tensor '${name}' ${formatShape(entry.shape)} ${entry.dtype} has bad data offsets [${begin}, ${end}] or the file is truncated`);
    }
    const raw = view;
    const base = dataStart + begin;
    const out = new Float32Array(count);
    if (entry.dtype === 'F32') for (let i = 0; i < count; i++) out[i] = raw.getFloat32(base + 4 * i, true);
    else if (entry.dtype === 'F64') for (let i = 0; i < count; i++) out[i] = raw.getFloat64(base + 8 * i, true);
    else if (entry.dtype === 'F16') for (let i = 0; i < count; i++) out[i] = float16ToFloat32(raw.getUint16(base + 2 * i, true));
    else {
      // BF16 is the upper half of a float32.
      const scratch = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        scratch.setUint32(0, raw.getUint16(base + 2 * i, true) << 16, true);
        out[i] = scratch.getFloat32(0, true);
      }
    }
    tensors.set(name, { data: out, dims: entry.shape });
  }
  return tensors;
}

/** Reads every tensor of a .safetensors file as float32, by name. */
export async function readSafetensors(path: string): Promise<Map<string, Tensor>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new FileFormatError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return decodeSafetensors(bytes, path);
}

/** Encodes float32 tensors as a safetensors file (F32), names sorted as the Python library does. */
export function encodeSafetensors(tensors: ReadonlyMap<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    header[name] = { dtype: 'F32', shape: [...t.dims], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), position);
    position += t.data.byteLength;
  }
  return out;
}

/**
 * Writes float32 tensors (and optional string metadata) to a .safetensors file.
 * @public the writing half of readSafetensors, for a researcher saving features or adapter weights
 */
export async function writeSafetensors(path: string, tensors: ReadonlyMap<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFile(path, encodeSafetensors(tensors, metadata));
}
