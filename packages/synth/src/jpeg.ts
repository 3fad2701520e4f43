import sharp from 'sharp';

/**
 * JPEG quality of MMVP-Synth images. Chosen by measurement (`pnpm bench synth`, numbers in the
 * synth README): at 95 with 4:4:4 the tiny CLIP's MMVP-VLM decisions on JPEG equal those on the
 * lossless PNG for the text and orientation patterns, and the stroke glyphs keep their edges.
 */
export const SYNTH_JPEG_QUALITY = 95;

/**
 * Baseline JPEG of an RGB image [H, W, 3] with full-resolution chroma (4:4:4): chroma subsampling
 * would blur the one-pixel coloured strokes the Texts and Color patterns depend on, and with 4:4:4
 * decoders need no chroma upsampling, so Pillow (the original scripts) and sharp (mmvp) decode the
 * file to the same pixels. libjpeg-turbo's default integer DCT: the same bytes on every run.
 */
export function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = SYNTH_JPEG_QUALITY): Promise<Buffer> {
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:4:4', optimiseCoding: true, mozjpeg: false })
    .toBuffer();
}
