import type { Tensor } from '../tensor';

/** An image as the user gives it: a file path or the encoded bytes (JPEG, PNG, WebP). */
export type ImageSource = string | Uint8Array;

/**
 * Which tensor of the vision tower to read.
 * - `layer`: Hugging Face `hidden_states[layer]`; 0 is the embedding output, k the output of encoder
 *   layer k (1-based), negative counts from the end (-2 is LLaVA's default).
 * - `prenorm`: the input of the final LayerNorm (DINOv2's `x_prenorm`, what MMVP's MoF used).
 * - `last`: the model's own `last_hidden_state` output.
 */
export type FeatureTap = { readonly kind: 'layer'; readonly layer: number } | { readonly kind: 'prenorm' } | { readonly kind: 'last' };

/** Which tokens to keep: patch tokens only (CLS and registers dropped), only CLS, or all. */
export type TokenSelection = 'patch' | 'cls' | 'all';

/** Which tensor to read from the vision tower and which of its tokens to keep. */
export interface EncodeOptions {
  readonly tap: FeatureTap;
  readonly tokens: TokenSelection;
  readonly signal?: AbortSignal;
}

/**
 * The contract every vision-encoder package implements (CLIP, DINOv2, or a user's own). Version it:
 * a breaking change becomes VisionEncoderV2 next to this one.
 */
export interface VisionEncoderV1 {
  readonly specificationVersion: 'v1';
  /** Family name, e.g. 'clip' or 'dinov2'. */
  readonly provider: string;
  /** The model folder or name it was created from. */
  readonly modelId: string;
  /** Width D of the token features. */
  readonly hiddenSize: number;
  /** Input resolution [H, W] of pixel_values. */
  readonly imageSize: readonly [number, number];
  /** Patch grid [rows, cols]; patch tokens N = rows * cols. */
  readonly patchGrid: readonly [number, number];
  /** Decode and preprocess images with this model's processor: pixel_values [B, 3, H, W]. */
  preprocess(images: readonly ImageSource[]): Promise<Tensor>;
  /** Token features from pixel_values [B, 3, H, W] -> [B, T, D]. */
  encodePixels(pixelValues: Tensor, options: EncodeOptions): Promise<Tensor>;
  /** Pooled, projected image embeddings for similarity [B, E]. */
  embedPixels(pixelValues: Tensor, options?: { signal?: AbortSignal }): Promise<Tensor>;
  /** Releases the encoder's ONNX sessions. */
  dispose(): Promise<void>;
}

/** Text tower of a CLIP-style model. */
export interface TextEncoderV1 {
  readonly specificationVersion: 'v1';
  /** Projected text embeddings [B, E] (same space as VisionEncoderV1.embedPixels). */
  encodeTexts(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Tensor>;
}
