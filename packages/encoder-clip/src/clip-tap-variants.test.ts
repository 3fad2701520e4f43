// The encoder path of 'mmvp embed --layer -2 | --tap prenorm' (issue #16) on the export variants of
// tools/make_tap_variants.py, picked by dtype as from a Hugging Face ONNX repo; variants and tolerances
// in packages/onnx/src/__fixtures__/tap-variants.ts.
import { afterAll, describe, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseSessions } from '@mmvp/onnx';
import { createClipVisionEncoder } from './index';
import { TAP_VARIANTS, expectEncoderMatchesTapVariant, tapVariantsRoot } from '../../onnx/src/__fixtures__/tap-variants';

const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-clip-variants-'));
afterAll(() => releaseSessions());

describe('clip encoder on the tap variants', () => {
  it.each(TAP_VARIANTS)('$variant (dtype $dtype): --layer -2, --layer 1, --tap prenorm match PyTorch float32', async (variant) => {
    const encoder = await createClipVisionEncoder({ modelPath: join(tapVariantsRoot, `clip-${variant.variant}`), dtype: variant.dtype, cacheDir });
    await expectEncoderMatchesTapVariant('clip', variant, encoder);
  });
});
