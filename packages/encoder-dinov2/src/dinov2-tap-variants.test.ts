// The encoder path of 'mmvp embed --layer -2 | --tap prenorm' (issue #16) on the export variants of
// tools/make_tap_variants.py, picked by dtype as from a Hugging Face ONNX repo; variants and tolerances
// in packages/onnx/src/__fixtures__/tap-variants.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseSessions } from '@mmvp/onnx';
import { createDinov2Encoder } from './index';
import { TAP_VARIANTS, expectEncoderMatchesTapVariant, tapVariantsRoot, testCpuKernel } from '../../onnx/src/__fixtures__/tap-variants';

const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-dinov2-variants-'));
afterAll(() => releaseSessions());

describe('dinov2 encoder on the tap variants', () => {
  it.each(TAP_VARIANTS)('$variant (dtype $dtype): --layer -2, --layer 1, --tap prenorm match PyTorch float32', async (variant) => {
    const warnings: string[] = [];
    const encoder = await createDinov2Encoder({ modelPath: join(tapVariantsRoot, `dinov2-${variant.variant}`), dtype: variant.dtype, cacheDir, onWarning: (line) => warnings.push(line) });
    // an 8-bit file reports its format; only full-range u8s8 on a CPU whose u8s8 saturates warns (the feature module decides)
    if (variant.dtype === 'int8' || variant.dtype === 'uint8') {
      expect(encoder.int8?.format).toMatchObject({ format: variant.dtype === 'uint8' ? 'u8u8' : 'u8s8', mayOverflowInt16: variant.variant === 'int8-full-range' });
      expect(encoder.int8?.description).toMatch(variant.variant === 'int8' ? /per-channel, weights in \[-64, 64\]/ : /per-tensor/);
    } else expect(encoder.int8).toBeNull();
    const saturates = variant.variant === 'int8-full-range' && testCpuKernel.u8s8 === 'int16-pair-saturating';
    expect(warnings).toEqual(saturates ? [expect.stringMatching(/has full-range u8s8 int8 weights/)] : []);
    await expectEncoderMatchesTapVariant('dinov2', variant, encoder);
  });
});
