import { open } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256Bytes } from '@mmvp/results';
import type { DecodedImage, PixelProcessor, PixelProcessorSpec } from './pixel-processor';

// Imported by name at run time so this package's types do not depend on @mmvp/image's internals.
const imagePackage = '@mmvp/image';
interface ImagePackage {
  decodeImage(source: Uint8Array): Promise<DecodedImage>;
  loadPreprocessorConfig(path: string): Promise<unknown>;
  createImageProcessor(config: unknown, options?: { padToSquare?: boolean; cropRounding?: 'floor' | 'round' }): PixelProcessor;
}

/** What decoding one image gives: its identity and one pixel_values array per model, or why it failed. */
export type DecodeResult =
  | { readonly ok: true; readonly path: string; readonly sha256: string; readonly size: number; readonly mtimeMs: number; readonly pixels: Float32Array[] }
  | { readonly ok: false; readonly path: string; readonly size?: number; readonly mtimeMs?: number; readonly message: string };

/** Builds the processors a worker (or the main thread, with zero workers) runs for every image. */
export async function createPixelProcessors(specs: readonly PixelProcessorSpec[]): Promise<PixelProcessor[]> {
  const out: PixelProcessor[] = [];
  for (const spec of specs) {
    if (spec.kind === 'image-processor') {
      const image = (await import(imagePackage)) as ImagePackage;
      const config = await image.loadPreprocessorConfig(spec.preprocessorConfigPath);
      const options: { padToSquare?: boolean; cropRounding?: 'floor' | 'round' } = {};
      if (spec.padToSquare !== undefined) options.padToSquare = spec.padToSquare;
      if (spec.cropRounding !== undefined) options.cropRounding = spec.cropRounding;
      out.push(image.createImageProcessor(config, options));
    } else {
      const url = isAbsolute(spec.module) ? pathToFileURL(spec.module).href : spec.module;
      const module = (await import(url)) as { createPixelProcessor?: (options: unknown) => Promise<PixelProcessor> | PixelProcessor };
      if (typeof module.createPixelProcessor !== 'function') throw new Error(`${spec.module} does not export createPixelProcessor(options)`);
      out.push(await module.createPixelProcessor(spec.options));
    }
  }
  return out;
}

/**
 * Reads, hashes and decodes one image once (EXIF orientation applied, 8-bit RGB, alpha dropped as
 * PIL's convert('RGB') does), then runs every model's processor on it. Never throws for a bad image:
 * the failure comes back as a result so the run goes on.
 */
export async function decodeForModels(path: string, processors: readonly PixelProcessor[]): Promise<DecodeResult> {
  let size: number | undefined;
  let mtimeMs: number | undefined;
  let bytes: Uint8Array;
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      size = info.size;
      mtimeMs = info.mtimeMs;
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return failure(path, size, mtimeMs, `cannot read: ${(error as Error).message}`);
  }
  let image: DecodedImage;
  try {
    // The same decoder the encoders' own preprocess uses (Pillow's convert('RGB') semantics, CMYK as Pillow).
    image = await ((await import(imagePackage)) as ImagePackage).decodeImage(bytes);
  } catch (error) {
    return failure(path, size, mtimeMs, (error as Error).message);
  }
  try {
    const pixels = processors.map((processor) => processor.process(image));
    return { ok: true, path, sha256: sha256Bytes(bytes), size: size!, mtimeMs: mtimeMs!, pixels };
  } catch (error) {
    return failure(path, size, mtimeMs, `cannot preprocess: ${(error as Error).message}`);
  }
}

function failure(path: string, size: number | undefined, mtimeMs: number | undefined, message: string): DecodeResult {
  return { ok: false, path, ...(size === undefined ? {} : { size }), ...(mtimeMs === undefined ? {} : { mtimeMs }), message: message.replace(/\s+/g, ' ').trim() };
}
