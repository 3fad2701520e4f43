// Graph taps on the export variants of tools/make_tap_variants.py (issue #16): the tap is found on each
// variant and reproduces the PyTorch float32 hidden states within the variant's own precision.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpyFloat32 } from '@mmvp/core';
import { clipVisionNaming, dinov2Naming, normalizeLayerIndex, resolveTap, type GraphNaming } from './graph-tap';
import { getSession, releaseSessions } from './session-cache';
import { ortToTensor, tensorToOrt } from './tensor-conversion';
import { hiddenState, maxAbsDiff } from './__fixtures__/compare-hidden-states';
import { TAP_VARIANTS, TAP_VARIANT_LAYERS, TAP_VARIANT_TAPS, tapVariantTolerance, tapVariantsRoot, testCpuKernel } from './__fixtures__/tap-variants';

const root = tapVariantsRoot;
const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-tap-variants-'));
afterAll(() => releaseSessions());

const LAYERS = TAP_VARIANT_LAYERS;

const families: { family: string; graph: string; naming: GraphNaming }[] = [
  { family: 'clip', graph: 'vision_model', naming: clipVisionNaming },
  { family: 'dinov2', graph: 'model', naming: dinov2Naming },
];

/** Measured max differences, printed once at the end (copied into the README). */
const measured: string[] = [];
afterAll(() => {
  if (process.env.MMVP_PRINT_TAP_DIFFS) console.log(measured.join('\n'));
});

describe.each(families)('$family tap variants', ({ family, graph, naming }) => {
  it.each(TAP_VARIANTS)('$variant: taps found and within tolerance of PyTorch float32', async (entry) => {
    const { variant, suffix } = entry;
    const tolerance = tapVariantTolerance(entry, testCpuKernel); // the full-range u8s8 fixture: wider where this CPU saturates
    const reference = join(root, 'reference', family);
    const pixels = await readNpyFloat32(join(reference, 'pixel_values.npy'));
    const hidden = await readNpyFloat32(join(reference, 'hidden_states.npy'));
    const model = join(root, `${family}-${variant}`, 'onnx', `${graph}${suffix}.onnx`);
    let separation = Number.POSITIVE_INFINITY;
    for (let a = 0; a <= LAYERS; a++) for (let b = a + 1; b <= LAYERS; b++) separation = Math.min(separation, maxAbsDiff(hiddenState(hidden, a).data, hiddenState(hidden, b).data));
    expect(tolerance).toBeLessThan(separation);
    for (const { label, tap, index } of TAP_VARIANT_TAPS) {
      const resolved = await resolveTap(model, tap, { naming, numLayers: LAYERS, cacheDir });
      expect(normalizeLayerIndex(tap.kind === 'layer' ? tap.layer : LAYERS, LAYERS)).toBe(index);
      expect(resolved.hiddenStateIndex).toBe(index);
      const session = await getSession(resolved.modelPath);
      const out = await session.run({ pixel_values: tensorToOrt(pixels) }, [resolved.outputName]);
      // a rewritten tap keeps the graph's own dtype (float16 inside an _fp16 export); ortToTensor reads it as float32
      expect(out[resolved.outputName]!.type).toBe(variant === 'fp16' && resolved.origin !== 'source' ? 'float16' : 'float32');
      const features = ortToTensor(out[resolved.outputName]!);
      expect(features.data).toBeInstanceOf(Float32Array); // float16 taps come back as float32
      const expected = hiddenState(hidden, index);
      expect(features.dims).toEqual(expected.dims);
      const diff = maxAbsDiff(features.data, expected.data);
      measured.push(`${family}-${variant} ${label}: ${diff.toExponential(2)}`);
      expect(diff, `${family}-${variant} ${label} (${testCpuKernel.reason})`).toBeLessThan(tolerance);
    }
  });
});
