import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FileFormatError } from '@mmvp/core';

/** The image types sent as data URLs, by their first bytes. */
const SIGNATURES: readonly { readonly mime: string; readonly matches: (bytes: Uint8Array) => boolean }[] = [
  { mime: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', matches: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { mime: 'image/gif', matches: (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 },
  { mime: 'image/webp', matches: (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50 },
];

/** One image ready to send: the data URL of the file's own bytes (no re-encode) and their SHA-256. */
export interface ImageDataUrl {
  readonly url: string;
  readonly mime: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** Reads an image file into a base64 data URL of its exact bytes; the type comes from the bytes, not the name. */
export async function imageDataUrl(path: string): Promise<ImageDataUrl> {
  const bytes = await readFile(path);
  const mime = SIGNATURES.find((signature) => signature.matches(bytes))?.mime;
  if (mime === undefined) throw new FileFormatError(`${path} is not a JPEG, PNG, GIF or WebP file (the types an endpoint accepts as image_url data URLs)`);
  return { url: `data:${mime};base64,${bytes.toString('base64')}`, mime, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}
