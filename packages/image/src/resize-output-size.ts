/** A target size as `preprocessor_config.json` gives it: the shortest edge, or an exact height and width. */
export type ResizeTarget = { readonly shortestEdge: number } | { readonly height: number; readonly width: number };

/**
 * The [height, width] Hugging Face resizes to (`get_resize_output_image_size` with
 * default_to_square=False): the short side becomes `shortestEdge`, the long side
 * `int(shortestEdge * long / short)` (float division, truncated). torchvision's `Resize(int)`,
 * used by OpenAI CLIP's own preprocess, computes the same sizes.
 */
export function resizeOutputSize(width: number, height: number, target: ResizeTarget): readonly [number, number] {
  if ('height' in target) return [target.height, target.width];
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newShort = target.shortestEdge;
  const newLong = Math.trunc((newShort * long) / short);
  return width <= height ? [newLong, newShort] : [newShort, newLong];
}
