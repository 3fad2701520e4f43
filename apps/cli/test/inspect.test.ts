import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { currentCpuFeatures, int8KernelInfo } from '@mmvp/onnx';
import { mmvp } from './helpers/run-cli';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('mmvp inspect', () => {
  it('describes tiny-clip: family, grid, dtype variants, taps', async () => {
    const result = await mmvp('inspect', join(root, 'models/tiny-clip'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('family: CLIP (CLIPModel)\n  layers: 4, hidden size: 64, intermediate size: 256, heads: 4\n  input: 32x32 px, patch 8 -> grid 4x4\n  dtype variants: fp32\n');
    expect(result.stdout).toContain('taps: layer 0..4, prenorm, last (float32) - taps can read this file');
    expect(result.stdout).toContain('text encoder: taps read vision encoders only');
  });

  it('--json prints one document; a variant folder shows its dtype and weight storage', async () => {
    const result = await mmvp('inspect', join(root, 'models/tap-variants/dinov2-q4'), '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ family: 'DINOv2', numLayers: 3, patchGrid: [4, 4], dtypes: ['q4'], problems: [] });
    expect(report.files[0].weights).toContain('MatMulNBits');
    expect(report.files[0].taps.map((t: { tap: string }) => t.tap)).toEqual(['layer 0', 'layer 1', 'layer 2', 'layer 3', 'prenorm', 'last']);
  });

  it('an int8 file: its format on stdout; a warning line on stderr only where this CPU saturates full-range u8s8 (exit 0)', async () => {
    const result = await mmvp('inspect', join(root, 'models/tap-variants/clip-int8-full-range'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('    int8 format: u8s8 (uint8 activations x int8 weights), per-tensor, weights in [-127, 127]: full range');
    const saturates = int8KernelInfo(currentCpuFeatures()).u8s8 === 'int16-pair-saturating';
    expect(result.stderr.split('\n').filter(Boolean)).toEqual(saturates ? [expect.stringMatching(/^mmvp: inspect: warning: vision_model_int8\.onnx has full-range u8s8/)] : []);
  });

  it('--layer checks one tap; out of range is one line', async () => {
    const one = await mmvp('inspect', join(root, 'models/tap-variants/clip-fp16'), '--layer', '-2');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/layer -2 +hidden_states\[2\] = \/vision_model\/encoder\/layers\.1\/Add_1_output_0 \(tap rewrites the graph\)/);
    const bad = await mmvp('inspect', join(root, 'models/tiny-clip'), '--layer', '9');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('mmvp: InvalidArgumentError: layer 9 does not exist: this encoder has 4 layers, so hidden_states indices run from -5 to 4 (0 = embeddings, 4 = last layer, -2 = second to last)\n');
  });

  it('bad folders: one line each, exit status 1', async () => {
    const notFolder = await mmvp('inspect', join(root, 'apps'));
    expect(notFolder.code).toBe(1);
    expect(notFolder.stderr).toMatch(/^mmvp: ModelLoadError: model folder .*apps has no config\.json .*\n$/);
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-cli-inspect-'));
    mkdirSync(join(dir, 'onnx'));
    copyFileSync(join(root, 'models/tiny-clip/config.json'), join(dir, 'config.json'));
    writeFileSync(join(dir, 'onnx/vision_model.onnx'), readFileSync(join(root, 'models/tiny-clip/onnx/vision_model.onnx')).subarray(0, 4000));
    const truncated = await mmvp('inspect', dir);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(truncated.stderr).toMatch(/^mmvp: inspect: cannot read vision_model\.onnx: /);
    expect(truncated.stdout).toContain('problem: cannot read vision_model.onnx');
  });
});
