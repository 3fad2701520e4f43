// The export variants of tools/make_tap_variants.py (issue #16), shared by the graph-tap test and the
// two encoders' tests, so the variants, dtypes and tolerances are written once.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { readNpyFloat32, type FeatureTap, type Tensor, type TokenSelection } from '@mmvp/core';
import { currentCpuFeatures, int8KernelInfo, type Int8KernelInfo } from '../cpu-features';
import type { ModelDtype } from '../model-folder';
import { hiddenState, maxAbsDiff } from './compare-hidden-states';

/** models/tap-variants/: `<family>-<variant>/` model folders and `reference/<family>/` PyTorch float32 runs. */
export const tapVariantsRoot = fileURLToPath(new URL('../../../../models/tap-variants/', import.meta.url));

/** Encoder depth of every variant. */
export const TAP_VARIANT_LAYERS = 3;

/**
 * The full-range u8s8 fixtures' tolerance on a CPU whose u8s8 kernel saturates (x86 without VNNI): the
 * emulated no-VNNI maxima (models/tap-variants/reference/int8-emulation.json, tools/emulate_int8_kernels.py)
 * are 0.31 (CLIP --layer -2 and prenorm) and 0.13 (DINOv2 prenorm); the issue measured 0.3098 and 0.0557
 * (--layer -2) on an AMD EPYC. Still under the 0.45 that separates two layers, so a wrong tap still fails.
 */
export const SATURATED_INT8_TOLERANCE = 0.4;

/** A variant's tolerance on a CPU: the full-range u8s8 fixture gets SATURATED_INT8_TOLERANCE where u8s8 saturates. */
export function tapVariantTolerance(variant: { variant: string; tolerance: number }, kernel: Int8KernelInfo): number {
  return variant.variant === 'int8-full-range' && kernel.u8s8 === 'int16-pair-saturating' ? SATURATED_INT8_TOLERANCE : variant.tolerance;
}

/**
 * Each variant, the dtype that picks its file, its file suffix, and the max |ONNX - PyTorch float32|
 * allowed (measured maxima in the README's table). The reference hidden states reach |h| ~ 4, and two
 * different hidden states of a model differ somewhere by >= 0.45 (checked by the graph-tap test), so
 * every tolerance stays under that: a tap of the wrong layer cannot pass.
 * - float32 graphs (shared-identity, opset14, opset11): 2e-3; float32 reassociation noise measures ~1e-6.
 * - fp16: values in [2, 4) have a float16 spacing of 2^-9 ~ 2e-3, so rounding the tap alone costs up to
 *   ~1e-3, and every op rounds again (measured 2.3e-3): 1e-2.
 * - int8 (u8s8, 7-bit per-channel weights: reduce_range), uint8 (u8u8) and int8-full-range (u8s8, weights in
 *   [-127, 127]): activations (dynamic, per tensor, uint8) and weights are quantized before each of the 6
 *   weight MatMuls of a layer; steps of ~range/255 or range/128 (measured up to 2.2e-2): 5e-2. The first two
 *   are exact on every CPU; the full-range one only where u8s8 sums in int32 (VNNI, arm64): where it
 *   saturates, tapVariantTolerance gives SATURATED_INT8_TOLERANCE (`tolerance` here is then the VNNI one).
 * - q4: weights in 4 bits per block of 32 (step = block range / 15, ~7% of a weight's range; measured
 *   0.12): 0.25.
 */
export const TAP_VARIANTS: readonly { variant: string; dtype: ModelDtype; suffix: string; tolerance: number }[] = [
  { variant: 'shared-identity', dtype: 'fp32', suffix: '', tolerance: 2e-3 },
  { variant: 'opset14', dtype: 'fp32', suffix: '', tolerance: 2e-3 },
  { variant: 'opset11', dtype: 'fp32', suffix: '', tolerance: 2e-3 },
  { variant: 'fp16', dtype: 'fp16', suffix: '_fp16', tolerance: 1e-2 },
  { variant: 'int8', dtype: 'int8', suffix: '_int8', tolerance: 5e-2 },
  { variant: 'uint8', dtype: 'uint8', suffix: '_uint8', tolerance: 5e-2 },
  { variant: 'int8-full-range', dtype: 'int8', suffix: '_int8', tolerance: 5e-2 },
  { variant: 'q4', dtype: 'q4', suffix: '_q4', tolerance: 0.25 },
];

/** The int8 arithmetic of the CPU running the tests (from /proc/cpuinfo), which picks the full-range fixture's tolerance. */
export const testCpuKernel: Int8KernelInfo = int8KernelInfo(currentCpuFeatures());

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
  variant: (typeof TAP_VARIANTS)[number],
  encoder: { encodePixels(pixels: Tensor, options: { tap: FeatureTap; tokens: TokenSelection }): Promise<Tensor> },
): Promise<void> {
  const tolerance = tapVariantTolerance(variant, testCpuKernel);
  const pixels = await readNpyFloat32(join(tapVariantsRoot, 'reference', family, 'pixel_values.npy'));
  const hidden = await readNpyFloat32(join(tapVariantsRoot, 'reference', family, 'hidden_states.npy'));
  for (const { label, tap, index } of TAP_VARIANT_TAPS) {
    const out = await encoder.encodePixels(pixels, { tap, tokens: 'all' });
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(out.data, hiddenState(hidden, index).data), `${label} (${testCpuKernel.reason})`).toBeLessThan(tolerance);
  }
}
