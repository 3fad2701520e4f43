// The encoder path of 'mmvp embed --layer -2 | --tap prenorm' (issue #16) on the export variants of
// tools/make_tap_variants.py, picked by dtype as from a Hugging Face ONNX repo; tolerances as in
// packages/onnx/src/tap-variants.test.ts (float32 graphs 2e-3, fp16 1e-2, int8 5e-2, q4 0.25).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpyFloat32, type FeatureTap } from '@mmvp/core';
import { releaseSessions } from '@mmvp/onnx';
import { createDinov2Encoder } from './index';
import { hiddenState, maxAbsDiff } from '../../onnx/src/__fixtures__/compare-hidden-states';

const root = fileURLToPath(new URL('../../../models/tap-variants/', import.meta.url));
const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-dinov2-variants-'));
afterAll(() => releaseSessions());

const variants = [
  { variant: 'shared-identity', dtype: 'fp32', tolerance: 2e-3 },
  { variant: 'opset14', dtype: 'fp32', tolerance: 2e-3 },
  { variant: 'opset11', dtype: 'fp32', tolerance: 2e-3 },
  { variant: 'fp16', dtype: 'fp16', tolerance: 1e-2 },
  { variant: 'int8', dtype: 'int8', tolerance: 5e-2 },
  { variant: 'q4', dtype: 'q4', tolerance: 0.25 },
] as const;
const taps: [FeatureTap, number][] = [
  [{ kind: 'layer', layer: -2 }, 2],
  [{ kind: 'layer', layer: 1 }, 1],
  [{ kind: 'prenorm' }, 3],
];

describe('dinov2 encoder on the tap variants', () => {
  it.each(variants)('$variant (dtype $dtype): --layer -2, --layer 1, --tap prenorm match PyTorch float32', async ({ variant, dtype, tolerance }) => {
    const encoder = await createDinov2Encoder({ modelPath: join(root, `dinov2-${variant}`), dtype, cacheDir });
    const pixels = await readNpyFloat32(join(root, 'reference/dinov2/pixel_values.npy'));
    const hidden = await readNpyFloat32(join(root, 'reference/dinov2/hidden_states.npy'));
    for (const [tap, index] of taps) {
      const out = await encoder.encodePixels(pixels, { tap, tokens: 'all' });
      expect(out.data).toBeInstanceOf(Float32Array);
      expect(maxAbsDiff(out.data, hiddenState(hidden, index).data), JSON.stringify(tap)).toBeLessThan(tolerance);
    }
  });
});
