import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFloat32 } from '@mmvp/core';
import { hiddenStateLayer, maxAbsDiff, modelWithNanWeight } from '@mmvp/study/testing';
import { mmvp, runCli } from './helpers/run-cli';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const clip = join(root, 'models', 'tiny-clip');
const images = [0, 1, 2].map((k) => join(clip, 'reference', 'images', `image-${k}.png`));

describe('mmvp embed', () => {
  let scratch: string;
  let cacheDir: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-embed-'));
    cacheDir = join(scratch, 'cache');
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  // The features against PyTorch (every layer and tap, DINOv2, texts, long texts) and the errors of bad
  // input are checked on embedFeatures in packages/study/src/embed/embed-features.test.ts; here, the command.
  it('smoke: CLIP default (layer -2, patch tokens) prints what it resolved; --pooled gives image_embeds', async () => {
    const out = join(scratch, 'clip-default.npy');
    const result = await mmvp('embed', '--model', clip, '--image', images[0]!, '--cache-dir', cacheDir, '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/model: clip \(@mmvp\/encoder-clip@\S+\) .*vision_model\.onnx: 4 layers, width 64, input 32x32, grid 4x4/);
    expect(result.stderr).toMatch(/output: layer -2 = hidden_states\[3\], tokens patch/);
    expect(result.stderr).toMatch(/encoded 1\/1 images/);
    expect(result.stdout.trim()).toBe(out);
    const features = await readNpyFloat32(out);
    expect(features.dims).toEqual([1, 16, 64]);
    const reference = await readNpyFloat32(join(clip, 'reference', 'hidden_states.npy'));
    expect(maxAbsDiff(features.data, hiddenStateLayer(reference, 3, 1).subarray(0, 16 * 64))).toBeLessThan(1e-4);
    const pooledOut = join(scratch, 'clip-pooled.npy');
    expect((await mmvp('embed', '--model', clip, '--image', ...images, '--pooled', '--out', pooledOut)).code).toBe(0);
    const pooled = await readNpyFloat32(pooledOut);
    expect(pooled.dims).toEqual([3, 32]);
    expect(maxAbsDiff(pooled.data, (await readNpyFloat32(join(clip, 'reference', 'image_embeds.npy'))).data)).toBeLessThan(1e-4);
  });
});

describe('mmvp embed: --out is checked before the model is loaded', () => {
  it('a folder, a path under a file: one line naming --out; a missing parent folder is created', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-cli-embed-out-'));
    try {
      const file = join(folder, 'taken.txt');
      await writeFile(file, 'x');
      const missingModel = join(folder, 'no-such-model');
      const onFolder = await runCli(['embed', '--model', missingModel, '--text', 'a cat', '--out', folder]);
      expect(onFolder.code).toBe(1);
      expect(onFolder.stderr.trim().split('\n')).toHaveLength(1);
      expect(onFolder.stderr).toMatch(/^mmvp: InvalidArgumentError: --out .* is a folder; give a file path such as .*embeddings\.npy/);
      const underFile = await runCli(['embed', '--model', missingModel, '--text', 'a cat', '--out', join(file, 'e.npy')]);
      expect(underFile.code).toBe(1);
      expect(underFile.stderr.trim().split('\n')).toHaveLength(1);
      expect(underFile.stderr).toMatch(/^mmvp: InvalidArgumentError: --out .*taken\.txt.*not a folder/);
      const nested = join(folder, 'new', 'sub', 'e.npy');
      const created = await runCli(['embed', '--model', clip, '--text', 'a cat', '--out', nested]);
      expect(created.code).toBe(0);
      expect((await readNpyFloat32(nested)).dims[0]).toBe(1);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

// The rules between embedFeatures' options (processor and clipModel, pooled with a tap or tokens) are checked in
// process in packages/study/src/embed/embed-features-options.test.ts; here, two flags through the built CLI.
describe('mmvp embed: bad flags name the flag and the valid choices, before the model is loaded', () => {
  const missingModel = join(tmpdir(), 'mmvp-no-such-model');
  it.each([
    [['--device', 'tpu'], /^mmvp: InvalidArgumentError: --device 'tpu' is not valid; valid choices: .*cpu.*webgpu.*cuda/],
    [['--tap', 'middle'], /^mmvp: InvalidArgumentError: --tap 'middle' is not valid; valid choices: 'prenorm' or 'last'/],
    [['--pooled', '--layer', '2'], /^mmvp: InvalidArgumentError: embedFeatures options are invalid: tap: pooled gives pooled embeddings \[B, E\]; tap picks token features/],
  ])('%j', async (flags, message) => {
    const result = await mmvp('embed', '--model', missingModel, '--image', 'x.png', '--out', join(tmpdir(), 'mmvp-embed-unused.npy'), ...flags);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});

describe('mmvp embed: non-finite encoder outputs', () => {
  let scratch = '';
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-embed-nan-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('a model with NaN weights fails with a NumericError naming the file, output and first bad index; no .npy is written (#13.4)', async () => {
    const badClip = await modelWithNanWeight(clip, scratch, 'nan-clip', 'vision_model.onnx', /patch_embedding\.weight$/);
    // one case here (exit code, the error line, no .npy); every encoder output is checked on embedFeatures in packages/study
    const cases: [string[], RegExp][] = [[['--model', badClip, '--image', ...images, '--pooled'], /nan-clip\/onnx\/vision_model\.onnx: output 'image_embeds' has NaN at index 0 \[0, 0\] of shape \[3, \d+\]/]];
    for (const [n, [args, message]] of cases.entries()) {
      const out = join(scratch, `nan-${n}.npy`);
      const result = await runCli(['embed', ...args, '--out', out]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/mmvp: NumericError: /);
      expect(result.stderr).toMatch(message);
      await expect(stat(out)).rejects.toThrow(/ENOENT/);
    }
  });
});
