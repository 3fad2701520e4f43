import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, resolve } from 'node:path';

const mimeTypes: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };

/** Largest image inlined as-is; producers should write small thumbnails (the demo writes PNGs of a few KB). */
const maxInlineImageBytes = 512 * 1024;

export type InlinedImage = { readonly ok: true; readonly dataUrl: string } | { readonly ok: false; readonly reason: string };

/**
 * Reads an image (path relative to the results folder, or absolute) as a base64 data URL so the
 * report stays one self-contained file. Missing, oversized or unknown-type images come back as a
 * reason to show in place of the picture, so one bad path does not lose the whole report.
 */
export async function inlineImage(resultsDirectory: string, path: string): Promise<InlinedImage> {
  const fullPath = isAbsolute(path) ? path : resolve(resultsDirectory, path);
  const mime = mimeTypes[extname(fullPath).toLowerCase()];
  if (mime === undefined) return { ok: false, reason: `unsupported image type '${extname(fullPath)}' (use ${Object.keys(mimeTypes).join(', ')})` };
  try {
    const info = await stat(fullPath);
    if (info.size > maxInlineImageBytes) return { ok: false, reason: `image is ${Math.round(info.size / 1024)} KB, over the ${maxInlineImageBytes / 1024} KB inline limit` };
    const bytes = await readFile(fullPath);
    return { ok: true, dataUrl: `data:${mime};base64,${bytes.toString('base64')}` };
  } catch {
    return { ok: false, reason: `missing: ${path}` };
  }
}
