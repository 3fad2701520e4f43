import { readFile } from 'node:fs/promises';
import { DatasetError, FileFormatError } from '@mmvp/core';

/** What readTextFile found about a file's encoding. */
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le-bom' | 'utf-16be-bom';

/**
 * Decodes a text file's bytes the way every loader of this package reads its CSV/JSONL files:
 * - a UTF-8 BOM (EF BB BF) is dropped (Excel writes one; JSON.parse would choke on it);
 * - a UTF-16 BOM (FF FE little-endian, FE FF big-endian: Excel's "Unicode text") is decoded;
 * - anything else must be valid UTF-8: invalid bytes (Latin-1 / Windows-1252 files, say) fail with
 *   the file, the byte offset and line, and "save it as UTF-8", instead of turning into mojibake.
 */
export function decodeText(bytes: Uint8Array, source: string): { text: string; encoding: TextEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: utf8(bytes.subarray(3), source, 3), encoding: 'utf-8-bom' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: utf16(bytes.subarray(2), 'utf-16le', source), encoding: 'utf-16le-bom' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: utf16(bytes.subarray(2), 'utf-16be', source), encoding: 'utf-16be-bom' };
  refuseBomlessUtf16(bytes, source);
  return { text: utf8(bytes, source, 0), encoding: 'utf-8' };
}

/**
 * UTF-16 without a byte-order mark is valid UTF-8 byte for byte (ASCII with a NUL after or before
 * each character), so it would decode into text full of NULs: refuse it when NULs are a quarter or
 * more of the first 256 bytes (no UTF-8 text file has them) and say which byte order it looks like.
 */
function refuseBomlessUtf16(bytes: Uint8Array, source: string): void {
  const head = bytes.subarray(0, 256);
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < head.length; i++) if (head[i] === 0) i % 2 === 0 ? evenNuls++ : oddNuls++;
  if (head.length < 4 || (evenNuls + oddNuls) * 4 < head.length) return;
  const order = oddNuls >= evenNuls ? 'little-endian' : 'big-endian';
  throw new DatasetError(`${source} looks like UTF-16 ${order} without a byte-order mark (${evenNuls + oddNuls} of its first ${head.length} bytes are NUL); save it as UTF-8`);
}

/** Reads a text file with decodeText; `what` names it in errors ("the MMVP questions file"). */
export async function readTextFile(path: string, what = 'file'): Promise<{ text: string; encoding: TextEncoding }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new FileFormatError(`cannot read ${what === 'file' ? '' : `${what} `}${path}: ${(cause as Error).message}`, { cause });
  }
  return decodeText(bytes, path);
}

function utf8(bytes: Uint8Array, source: string, offset: number): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = 1 + bytes.subarray(0, at).filter((byte) => byte === 0x0a).length;
    const byte = bytes[at] ?? 0;
    const latin1 = byte >= 0x80 ? ` (read as Latin-1 it would be '${String.fromCharCode(byte)}': the file looks like Latin-1/Windows-1252)` : '';
    throw new DatasetError(`${source} is not valid UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at offset ${at + offset}, line ${line}${latin1}; save it as UTF-8`);
  }
}

function utf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be', source: string): string {
  if (bytes.length % 2 !== 0) throw new DatasetError(`${source} starts with a ${encoding.toUpperCase()} byte-order mark but has an odd number of bytes; save it as UTF-8`);
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new DatasetError(`${source} is ${encoding.toUpperCase()} (byte-order mark) but cannot be decoded (${(cause as Error).message}); save it as UTF-8`, { cause });
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return Math.max(0, bytes.length - 1);
}
