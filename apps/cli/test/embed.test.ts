import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFloat32 } from '@mmvp/core';
import { decodeModel, encodeModel } from '@mmvp/onnx';
import { mmvp, runCli } from './helpers/run-cli';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const clip = join(root, 'models', 'tiny-clip');
const dino = join(root, 'models', 'tiny-dinov2');
const images = [0, 1, 2].map((k) => join(clip, 'reference', 'images', `image-${k}.png`));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** hidden_states.npy [L+1, B, T, D] -> hidden_states[k], tokens from `first` on. */
function hidden(all: { data: Float32Array; dims: readonly number[] }, k: number, first = 0): Float32Array {
  const [, b, t, d] = all.dims as [number, number, number, number];
  const out = new Float32Array(b * (t - first) * d);
  for (let i = 0; i < b; i++) out.set(all.data.subarray(((k * b + i) * t + first) * d, ((k * b + i) * t + t) * d), i * (t - first) * d);
  return out;
}

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

  it('CLIP: every --layer, --tap prenorm and --tap last equal PyTorch (images -> .npy)', async () => {
    const reference = await readNpyFloat32(join(clip, 'reference', 'hidden_states.npy'));
    for (const layer of [0, 1, 2, 3, 4, -2]) {
      const out = join(scratch, `clip-layer${layer}.npy`);
      const result = await mmvp('embed', '--model', clip, '--image', ...images, '--layer', String(layer), '--tokens', 'all', '--batch', '2', '--cache-dir', cacheDir, '--out', out);
      expect(result.code, result.stderr).toBe(0);
      const features = await readNpyFloat32(out);
      expect(features.dims).toEqual([3, 17, 64]);
      expect(maxAbsDiff(features.data, hidden(reference, layer < 0 ? 5 + layer : layer))).toBeLessThan(1e-4);
    }
    for (const tap of ['prenorm', 'last']) {
      const out = join(scratch, `clip-${tap}.npy`);
      expect((await mmvp('embed', '--model', clip, '--image', ...images, '--tap', tap, '--tokens', 'all', '--cache-dir', cacheDir, '--out', out)).code).toBe(0);
      const file = tap === 'prenorm' ? 'prenorm.npy' : 'last_hidden_state.npy';
      expect(maxAbsDiff((await readNpyFloat32(out)).data, (await readNpyFloat32(join(clip, 'reference', file))).data)).toBeLessThan(1e-4);
    }
  });

  it('CLIP default (layer -2, patch tokens) prints what it resolved; --pooled gives image_embeds', async () => {
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
    expect(maxAbsDiff(features.data, hidden(reference, 3, 1).subarray(0, 16 * 64))).toBeLessThan(1e-4);
    const pooledOut = join(scratch, 'clip-pooled.npy');
    expect((await mmvp('embed', '--model', clip, '--image', ...images, '--pooled', '--out', pooledOut)).code).toBe(0);
    const pooled = await readNpyFloat32(pooledOut);
    expect(pooled.dims).toEqual([3, 32]);
    expect(maxAbsDiff(pooled.data, (await readNpyFloat32(join(clip, 'reference', 'image_embeds.npy'))).data)).toBeLessThan(1e-4);
  });

  it('CLIP --text gives text_embeds equal to PyTorch', async () => {
    const texts = JSON.parse(readFileSync(join(clip, 'reference', 'texts.json'), 'utf8')) as string[];
    const out = join(scratch, 'text.npy');
    const result = await mmvp('embed', '--model', clip, '--text', ...texts, '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const embeds = await readNpyFloat32(out);
    expect(embeds.dims).toEqual([4, 32]);
    expect(maxAbsDiff(embeds.data, (await readNpyFloat32(join(clip, 'reference', 'text_embeds.npy'))).data)).toBeLessThan(1e-4);
  });

  it("CLIP --text longer than the model's positions warns that it is cut, naming the text and both lengths (m20)", async () => {
    const long = 'a photo of a small red cat sitting on a wooden chair next to an open window in the morning light';
    const out = join(scratch, 'long-text.npy');
    const result = await mmvp('embed', '--model', clip, '--text', 'a photo of a cat', long, '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(1); // the short text is not flagged
    expect(warnings[0]).toMatch(/^warning: --text 2 \("a photo of a small red cat sitting on a wooden chair next\.\.\."\) is (\d+) tokens with BOS\/EOS; the model reads 16, so the rest is cut/);
    expect(Number(/is (\d+) tokens/.exec(warnings[0]!)![1])).toBeGreaterThanOrEqual(long.split(' ').length + 2); // at least a token a word, plus BOS and EOS
  });

  it('DINOv2: prenorm patch tokens (default), --processor clip, and every layer', async () => {
    const out = join(scratch, 'dino.npy');
    const result = await mmvp('embed', '--model', dino, '--image', ...images, '--processor', 'clip', '--clip-model', clip, '--cache-dir', cacheDir, '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/output: prenorm = hidden_states\[3\], tokens patch/);
    const features = await readNpyFloat32(out);
    expect(features.dims).toEqual([3, 16, 48]);
    const referenceClip = await readNpyFloat32(join(dino, 'reference', 'hidden_states_clip.npy'));
    expect(maxAbsDiff(features.data, hidden(referenceClip, 3, 1))).toBeLessThan(1e-4);
    const reference = await readNpyFloat32(join(dino, 'reference', 'hidden_states.npy'));
    for (const layer of [0, 1, 2, 3]) {
      const layerOut = join(scratch, `dino-${layer}.npy`);
      expect((await mmvp('embed', '--model', dino, '--image', ...images, '--layer', String(layer), '--tokens', 'all', '--cache-dir', cacheDir, '--out', layerOut)).code).toBe(0);
      expect(maxAbsDiff((await readNpyFloat32(layerOut)).data, hidden(reference, layer))).toBeLessThan(1e-4);
    }
    const pooledOut = join(scratch, 'dino-pooled.npy');
    expect((await mmvp('embed', '--model', dino, '--image', ...images, '--pooled', '--out', pooledOut)).code).toBe(0);
    expect(maxAbsDiff((await readNpyFloat32(pooledOut)).data, (await readNpyFloat32(join(dino, 'reference', 'pooler_output.npy'))).data)).toBeLessThan(1e-4);
  });

  it('gives one clear error line for bad input', async () => {
    const out = join(scratch, 'bad.npy');
    const noLayer = await mmvp('embed', '--model', clip, '--image', images[0]!, '--layer', '9', '--out', out);
    expect(noLayer.code).toBe(1);
    expect(noLayer.stderr).toMatch(/layer 9 does not exist: this encoder has 4 layers, so hidden_states indices run from -5 to 4/);
    const noConfig = await mmvp('embed', '--model', scratch, '--image', images[0]!, '--out', out);
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toMatch(/has no config\.json/);
    const badTap = await mmvp('embed', '--model', clip, '--image', images[0]!, '--tap', 'middle', '--out', out);
    expect(badTap.stderr).toMatch(/unknown --tap 'middle'; valid choices: 'prenorm' or 'last'/);
    const badTokens = await mmvp('embed', '--model', clip, '--image', images[0]!, '--tokens', 'some', '--out', out);
    expect(badTokens.stderr).toMatch(/valid choices: 'patch', 'cls' or 'all'/);
    const textOnDino = await mmvp('embed', '--model', dino, '--text', 'a dog', '--out', out);
    expect(textOnDino.stderr).toMatch(/--text needs a CLIP or SigLIP model; .*tiny-dinov2\/config\.json is a dinov2 model/);
    const missingImage = await mmvp('embed', '--model', clip, '--image', join(scratch, 'nope.png'), '--out', out);
    expect(missingImage.code).toBe(1);
    expect(missingImage.stderr).toMatch(/nope\.png/);
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

describe('mmvp embed: bad flags name the flag and the valid choices, before the model is loaded', () => {
  const missingModel = join(tmpdir(), 'mmvp-no-such-model');
  it.each([
    [['--device', 'tpu'], /^mmvp: InvalidArgumentError: unknown --device 'tpu'; valid choices: .*cpu.*webgpu.*cuda/],
    [['--processor', 'clip'], /^mmvp: InvalidArgumentError: --processor clip needs --clip-model <dir>/],
    [['--pooled', '--layer', '2'], /^mmvp: InvalidArgumentError: --pooled gives pooled embeddings \[B, E\]; --layer picks token features/],
    [['--pooled', '--tap', 'last'], /^mmvp: InvalidArgumentError: --pooled gives pooled embeddings \[B, E\]; --tap picks token features/],
    [['--pooled', '--tokens', 'cls'], /^mmvp: InvalidArgumentError: --pooled gives pooled embeddings \[B, E\]; --tokens picks token features/],
    [['--tokens', 'mean'], /^mmvp: InvalidArgumentError: unknown --tokens 'mean'; valid choices: .*patch.*cls.*all/],
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

  /** A copy of a model folder with one weight of `file` set to NaN (through @mmvp/onnx's ONNX codec). */
  async function poisoned(source: string, name: string, file: string, initializer: RegExp): Promise<string> {
    const copy = join(scratch, name);
    await cp(source, copy, { recursive: true });
    const path = join(copy, 'onnx', file);
    const model = decodeModel(await readFile(path));
    const weight = model.graph!.initializer!.find((t) => initializer.test(t.name ?? ''))!;
    const raw = new Float32Array(new Uint8Array(weight.raw_data!).buffer);
    raw[0] = Number.NaN;
    weight.raw_data = new Uint8Array(raw.buffer);
    await writeFile(path, encodeModel(model));
    return copy;
  }

  it('a model with NaN weights fails with a NumericError naming the file, output and first bad index; no .npy is written (#13.4)', async () => {
    const badClip = await poisoned(clip, 'nan-clip', 'vision_model.onnx', /patch_embedding\.weight$/);
    const badText = await poisoned(clip, 'nan-clip-text', 'text_model.onnx', /position_embedding\.weight$/);
    const badDino = await poisoned(dino, 'nan-dino', 'model.onnx', /patch_embeddings\.projection\.weight$/);
    const cases: [string[], RegExp][] = [
      [['--model', badClip, '--image', ...images, '--pooled'], /nan-clip\/onnx\/vision_model\.onnx: output 'image_embeds' has NaN at index 0 \[0, 0\] of shape \[3, \d+\]/],
      [['--model', badClip, '--image', ...images, '--layer', '1', '--cache-dir', join(scratch, 'nan-cache')], /nan-clip\/onnx\/vision_model\.onnx: output '[^']+' has NaN at index 0 \[0, 0, 0\] of shape \[3, 16, \d+\]/],
      [['--model', badDino, '--image', ...images], /nan-dino\/onnx\/model\.onnx: output '[^']+' has NaN at index 0/],
      [['--model', badDino, '--image', ...images, '--pooled'], /nan-dino\/onnx\/model\.onnx: output 'pooler_output' has NaN at index 0/],
      [['--model', badText, '--text', 'a photo of a cat'], /nan-clip-text\/onnx\/text_model\.onnx: output 'text_embeds' has NaN at index 0/],
    ];
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
