import { basename } from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { writeFileAtomic } from './atomic-write';

/** A mined pair with its image paths (what pairs.csv and the contact sheet show). */
export interface PairRow {
  readonly imageA: string;
  readonly imageB: string;
  readonly clipCosine: number;
  readonly dinoCosine: number;
  readonly gap: number;
}

/** One CSV field: quoted when it holds a comma, quote or line break. */
function csvField(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV text (header first, fields quoted when needed, newline-terminated). */
function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** pairs.csv: image_a,image_b,clip_cosine,dino_cosine,gap, best gap first. */
export async function writePairsCsv(path: string, pairs: readonly PairRow[]): Promise<void> {
  const rows = pairs.map((p) => [p.imageA, p.imageB, p.clipCosine.toFixed(6), p.dinoCosine.toFixed(6), p.gap.toFixed(6)]);
  await writeFileAtomic(path, toCsv(['image_a', 'image_b', 'clip_cosine', 'dino_cosine', 'gap'], rows));
}

/** errors.csv: image,error for every image that could not be read or decoded. */
export async function writeErrorsCsv(path: string, errors: readonly { path: string; message: string }[]): Promise<void> {
  await writeFileAtomic(
    path,
    toCsv(
      ['image', 'error'],
      errors.map((e) => [e.path, e.message]),
    ),
  );
}

/** duplicates.csv: image,duplicate_of for images collapsed because their bytes are identical. */
export async function writeDuplicatesCsv(path: string, duplicates: readonly { path: string; duplicateOf: string }[]): Promise<void> {
  await writeFileAtomic(
    path,
    toCsv(
      ['image', 'duplicate_of'],
      duplicates.map((d) => [d.path, d.duplicateOf]),
    ),
  );
}

/**
 * A PNG contact sheet of the top pairs for the person who writes the questions: one row per pair,
 * the two images side by side (letterboxed to `thumbnail` px) and a caption with both cosines.
 */
export async function writeContactSheet(path: string, pairs: readonly PairRow[], options: { maxPairs?: number; thumbnail?: number } = {}): Promise<number> {
  const shown = pairs.slice(0, options.maxPairs ?? 24);
  const size = options.thumbnail ?? 192;
  const caption = 22;
  const gap = 8;
  const width = 2 * size + 3 * gap;
  const rowHeight = size + caption + gap;
  const height = Math.max(1, shown.length) * rowHeight + gap;
  const layers: OverlayOptions[] = [];
  for (let i = 0; i < shown.length; i++) {
    const pair = shown[i]!;
    const top = gap + i * rowHeight;
    for (const [column, file] of [pair.imageA, pair.imageB].entries()) {
      const input = await sharp(file)
        .rotate()
        .resize(size, size, { fit: 'contain', background: { r: 128, g: 128, b: 128, alpha: 1 } })
        .removeAlpha()
        .png()
        .toBuffer()
        .catch(() =>
          sharp({ create: { width: size, height: size, channels: 3, background: { r: 200, g: 0, b: 0 } } })
            .png()
            .toBuffer(),
        );
      layers.push({ input, left: gap + column * (size + gap), top });
    }
    const text = `#${i + 1} CLIP ${pair.clipCosine.toFixed(3)} DINOv2 ${pair.dinoCosine.toFixed(3)} ${basename(pair.imageA)} | ${basename(pair.imageB)}`;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${caption}"><text x="${gap}" y="15" font-family="sans-serif" font-size="12" fill="#000">${escapeXml(text)}</text></svg>`;
    layers.push({ input: Buffer.from(svg), left: 0, top: top + size + 2 });
  }
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(layers)
    .png()
    .toBuffer();
  await writeFileAtomic(path, png);
  return shown.length;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
