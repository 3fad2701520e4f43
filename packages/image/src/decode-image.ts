import { stat } from 'node:fs/promises';
import { FileFormatError, type ImageSource } from '@mmvp/core';
import sharp, { type OutputInfo } from 'sharp';
import { rgbImage, type RgbImage } from './rgb-image';

function describeSource(source: ImageSource): string {
  return typeof source === 'string' ? source : `image bytes (${source.byteLength} bytes)`;
}

async function checkFile(path: string): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new FileFormatError(`cannot read image ${path}: not a file`);
    size = info.size;
  } catch (cause) {
    if (FileFormatError.isInstance(cause)) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new FileFormatError(`cannot read image ${path}: ${reason}`, { cause });
  }
  if (size === 0) throw new FileFormatError(`cannot decode image ${path}: the file is empty (0 bytes)`);
}

/** round(a * b / 255) in integers, exactly as Pillow's MULDIV255 macro. */
function multiplyDivide255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/**
 * Pillow 9.4's `cmyk2rgb` (what `convert('RGB')` does to a CMYK JPEG): channel = (255 - K) scaled by
 * (1 - ink / 255), no colour profile. libvips would convert through an ICC profile instead, up to
 * ~30 levels away; the models were trained on Pillow's pixels, so we reproduce Pillow.
 */
function cmykToRgbLikePillow(src: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3); // [H, W, 3]
  for (let i = 0; i < pixels; i++) {
    const notBlack = 255 - src[i * 4 + 3]!;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = notBlack - multiplyDivide255(src[i * 4 + c]!, notBlack);
  }
  return out;
}

/**
 * sharp formats decoded (raster formats Pillow also opens; `heif` is AVIF). Vector and document
 * formats libvips can render (SVG, PDF) are refused: Pillow cannot open them, so there is no
 * reference to be exact to. Animated GIF/WebP and multi-page TIFF give their first frame, as
 * Pillow's Image.open does.
 */
export const decodableFormats = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'] as const;
/** The formats in words, for help texts and errors. */
export const supportedImageFormats = 'JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page files: the first frame)';

/**
 * Decodes an image file or bytes (see decodableFormats) with sharp into 8-bit RGB, [H, W, 3].
 * - EXIF orientation is applied, so the pixels are upright as a viewer shows them (PIL's
 *   `Image.open` does not do this; `ImageOps.exif_transpose` does).
 * - Grey images are replicated to three channels and alpha is dropped without compositing, as
 *   Pillow's `convert('RGB')` does (and thus Hugging Face's `convert_to_rgb`); CMYK JPEGs get
 *   Pillow's profile-free CMYK -> RGB formula, not libvips' ICC conversion.
 * - Truncated or corrupt files fail (sharp's `failOn: 'warning'`) instead of yielding a partly grey
 *   image; every error names the file.
 */
export async function decodeImage(source: ImageSource): Promise<RgbImage> {
  const name = describeSource(source);
  if (typeof source === 'string') await checkFile(source);
  else if (source.byteLength === 0) throw new FileFormatError(`cannot decode ${name}: no data`);
  let decoded: { data: Buffer; info: OutputInfo };
  let cmyk = false;
  try {
    const image = sharp(source, { failOn: 'warning' });
    const metadata = await image.metadata();
    if (!(decodableFormats as readonly string[]).includes(metadata.format ?? '')) {
      throw new FileFormatError(`cannot decode image ${name}: ${String(metadata.format ?? 'unknown').toUpperCase()} is not a supported image format; supported: ${supportedImageFormats}`);
    }
    cmyk = metadata.space === 'cmyk';
    // CMYK stays CMYK through libvips (no ICC conversion), so the inks can be mapped as Pillow does.
    const upright = cmyk ? image.pipelineColourspace('cmyk').toColourspace('cmyk').rotate() : image.rotate();
    decoded = await upright.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (cause) {
    if (FileFormatError.isInstance(cause)) throw cause;
    const reason = libvipsReason((cause as Error).message);
    throw new FileFormatError(`cannot decode image ${name}: ${reason} (expected ${supportedImageFormats})`, { cause });
  }
  const { width, height, channels } = decoded.info;
  const src = decoded.data;
  const pixels = width * height;
  if (cmyk) {
    if (channels !== 4) throw new FileFormatError(`cannot decode image ${name}: CMYK with ${channels} channels; expected 4 (C, M, Y, K)`);
    return rgbImage(cmykToRgbLikePillow(src, pixels), width, height);
  }
  if (channels === 3) return rgbImage(new Uint8Array(src.buffer, src.byteOffset, pixels * 3), width, height);
  const out = new Uint8Array(pixels * 3);
  if (channels === 1 || channels === 2) {
    for (let i = 0; i < pixels; i++) {
      const value = src[i * channels]!;
      out[i * 3] = value;
      out[i * 3 + 1] = value;
      out[i * 3 + 2] = value;
    }
  } else if (channels === 4) {
    for (let i = 0; i < pixels; i++) {
      out[i * 3] = src[i * 4]!;
      out[i * 3 + 1] = src[i * 4 + 1]!;
      out[i * 3 + 2] = src[i * 4 + 2]!;
    }
  } else {
    throw new FileFormatError(`cannot decode image ${name}: ${channels} channels; expected 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA)`);
  }
  return rgbImage(out, width, height);
}

/**
 * libvips keeps a per-thread error buffer, so a decoder message can repeat the same warning a varying
 * number of times ("VipsJpeg: premature end of JPEG image VipsJpeg: ... VipsJpeg: premature end ...").
 * Keep each fragment once, so the same bad file always gives the same message.
 */
function libvipsReason(message: string): string {
  const fragments = message
    .replace(/\s+/g, ' ')
    .trim()
    .split(/ (?=Vips[A-Za-z]*: )/);
  return [...new Set(fragments)].join(' ');
}
