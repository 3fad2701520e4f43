/** An 8-bit RGB image, [H, W, 3] row-major (the same shape as @mmvp/image's RgbImage). */
export interface DecodedImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Turns a decoded image into one model's pixel_values [3, H, W]. Runs inside the decode workers. */
export interface PixelProcessor {
  /** pixel_values [3, H, W] of one decoded image. */
  process(image: DecodedImage): Float32Array;
}

/**
 * How a decode worker builds a model's processor. Plain data, because it crosses into worker threads:
 * - `image-processor`: @mmvp/image's processor from the model's preprocessor_config.json (what the
 *   CLIP and DINOv2 encoders use themselves);
 * - `module`: any ES module (URL or absolute path) exporting `createPixelProcessor(options)`.
 */
export type PixelProcessorSpec =
  | { readonly kind: 'image-processor'; readonly preprocessorConfigPath: string; readonly padToSquare?: boolean; readonly cropRounding?: 'floor' | 'round' }
  | { readonly kind: 'module'; readonly module: string; readonly options?: unknown };
