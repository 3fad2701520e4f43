/** The image formats the pipeline decodes, told apart by their first bytes. */
export type ImageSignature = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'avif';

const ascii = (bytes: Uint8Array, start: number, length: number): string => String.fromCharCode(...bytes.subarray(start, start + length));

/**
 * The format a file's first bytes announce (JPEG `FF D8 FF`, PNG's 8-byte signature, `GIF87a`/`GIF89a`,
 * `RIFF....WEBP`, TIFF `II*\0`/`MM\0*`, an ISO-BMFF `ftyp` box of an AVIF/HEIF brand), or undefined.
 * A header only: the pipeline decodes the whole image once, and a file that is cut or corrupt past
 * its header fails there (the server then answers that request alone with a 400).
 */
export function imageSignature(bytes: Uint8Array): ImageSignature | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && ascii(bytes, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  if (bytes.length >= 4 && (ascii(bytes, 0, 4) === 'II*\x00' || ascii(bytes, 0, 4) === 'MM\x00*')) return 'tiff';
  if (bytes.length >= 12 && ascii(bytes, 4, 4) === 'ftyp' && ['avif', 'avis', 'heic', 'heix', 'mif1', 'msf1'].includes(ascii(bytes, 8, 4))) return 'avif';
  return undefined;
}
