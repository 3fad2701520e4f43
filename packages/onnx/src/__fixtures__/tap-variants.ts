// The export variants of tools/make_tap_variants.py (issue #16), shared by the graph-tap test and the
// two encoders' tests, so the variants, dtypes and tolerances are written once.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { readNpyFloat32, type FeatureTap, type Tensor, type TokenSelection } from '@mmvp/core';
import type { ModelDtype } from '../model-folder';
import { hiddenState, maxAbsDiff } from './compare-hidden-states';

/** models/tap-variants/: `<family>-<variant>/` model folders and `reference/<family>/` PyTorch float32 runs. */
export const tapVariantsRoot = fileURLToPath(new URL('../../../../models/tap-variants/', import.meta.url));

/** Encoder depth of every variant. */
export const TAP_VARIANT_LAYERS = 3;

/**
 * Each variant, the dtype that picks its file, its file suffix, and the max |ONNX - PyTorch float32|
 * allowed (measured maxima in the README's table). The reference hidden states reach |h| ~ 4, and two
 * different hidden states of a model differ somewhere by >= 0.45 (checked by the graph-tap test), so
 * every tolerance stays under that: a tap of the wrong layer cannot pass.
 * - float32 graphs (shared-identity, opset14, opset11): 2e-3; float32 reassociation noise measures ~1e-6.
 * - fp16: values in [2, 4) have a float16 spacing of 2^-9 ~ 2e-3, so rounding the tap alone costs up to
 *   ~1e-3, and every op rounds again (measured 2.3e-3): 1e-2.
 * - int8: activations (dynamic, per tensor, uint8) and weights (per tensor, int8) are quantized before each
 *   of the 6 weight MatMuls of a layer; steps of ~range/255 (measured 1.2e-2): 5e-2.
 * - q4: weights in 4 bits per block of 32 (step = block range / 15, ~7% of a weight's range; measured
 *   0.12): 0.25.
 */
export const TAP_VARIANTS: readonly { variant: string; dtype: ModelDtype; suffix: string; tolerance: number }[] = [
  { variant: 'shared-identity', dtype: 'fp32', suffix: '', tolerance: 2e-3 },
  { variant: 'opset14', dtype: 'fp32', suffix: '', tolerance: 2e-3 },
  { variant: 'opset11', dtype: 'fp32', suffix: '', tolerance: 2e-3 },
  { variant: 'fp16', dtype: 'fp16', suffix: '_fp16', tolerance: 1e-2 },
  { variant: 'int8', dtype: 'int8', suffix: '_int8', tolerance: 5e-2 },
  { variant: 'q4', dtype: 'q4', suffix: '_q4', tolerance: 0.25 },
];

/** The taps `mmvp embed` offers, with the hidden_states index each one is (L = 3). */
export const TAP_VARIANT_TAPS: readonly { label: string; tap: FeatureTap; index: number }[] = [
  { label: '--layer -2', tap: { kind: 'layer', layer: -2 }, index: 2 },
  { label: '--layer 1', tap: { kind: 'layer', layer: 1 }, index: 1 },
  { label: '--tap prenorm', tap: { kind: 'prenorm' }, index: 3 },
];

/**
 * An encoder package's path (`mmvp embed`) on one variant: every tap's features, read as float32,
 * within the variant's tolerance of the PyTorch float32 hidden states.
 */
export async function expectEncoderMatchesTapVariant(
  family: 'clip' | 'dinov2',
  { tolerance }: (typeof TAP_VARIANTS)[number],
  encoder: { encodePixels(pixels: Tensor, options: { tap: FeatureTap; tokens: TokenSelection }): Promise<Tensor> },
): Promise<void> {
  const pixels = await readNpyFloat32(join(tapVariantsRoot, 'reference', family, 'pixel_values.npy'));
  const hidden = await readNpyFloat32(join(tapVariantsRoot, 'reference', family, 'hidden_states.npy'));
  for (const { label, tap, index } of TAP_VARIANT_TAPS) {
    const out = await encoder.encodePixels(pixels, { tap, tokens: 'all' });
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(out.data, hiddenState(hidden, index).data), label).toBeLessThan(tolerance);
  }
}
