/**
 * embedFeatures against the PyTorch references of the tiny fixture models (moved from
 * apps/cli/test/embed.test.ts, same checks on the library: the tensor instead of the .npy, the onEvent
 * events as `mmvp embed` prints them instead of stderr, the thrown error instead of the `mmvp:` line; the CLI keeps its smoke test,
 * flag errors, --out checks and one non-finite case).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFloat32 } from '@mmvp/core';
import { embedFeatures } from './embed-features';
import type { EmbedEvent } from './embed-events';
import type { EmbedFeaturesOptions } from './embed-features-options';
import { hiddenStateLayer, maxAbsDiff, modelWithNanWeight } from './embed-test-fixtures';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const clip = join(root, 'models', 'tiny-clip');
const dino = join(root, 'models', 'tiny-dinov2');
const images = [0, 1, 2].map((k) => join(clip, 'reference', 'images', `image-${k}.png`));

/** An event as the line `mmvp embed` prints for it on stderr. */
function eventLine(event: EmbedEvent): string {
  return event.type === 'resolved' ? event.lines.join('\n') : event.type === 'warning' ? `warning: ${event.message}` : `encoded ${event.done}/${event.total} images`;
}

/** embedFeatures with its events kept as lines (what `mmvp embed` prints on stderr). */
async function embed(options: EmbedFeaturesOptions): Promise<{ data: Float32Array; dims: readonly number[]; log: string }> {
  const lines: string[] = [];
  const { tensor } = await embedFeatures({ ...options, onEvent: (event) => lines.push(eventLine(event)) });
  return { data: tensor.data as Float32Array, dims: tensor.dims, log: lines.join('\n') };
}

/** The error embedFeatures rejects with. */
async function failure(options: EmbedFeaturesOptions): Promise<Error> {
  const error = await embedFeatures(options).then(
    () => undefined,
    (thrown: unknown) => thrown as Error,
  );
  expect(error, 'embedding should have failed').toBeInstanceOf(Error);
  return error!;
}

describe('embedFeatures', () => {
  let scratch: string;
  let cacheDir: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-embed-'));
    cacheDir = join(scratch, 'cache');
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('CLIP: every layer, tap prenorm and tap last equal PyTorch', async () => {
    const reference = await readNpyFloat32(join(clip, 'reference', 'hidden_states.npy'));
    for (const layer of [0, 1, 2, 3, 4, -2]) {
      const features = await embed({ model: clip, images, tap: { kind: 'layer', layer }, tokens: 'all', batchSize: 2, cacheDir });
      expect(features.dims).toEqual([3, 17, 64]);
      expect(maxAbsDiff(features.data, hiddenStateLayer(reference, layer < 0 ? 5 + layer : layer))).toBeLessThan(1e-4);
    }
    for (const tap of ['prenorm', 'last'] as const) {
      const features = await embed({ model: clip, images, tap: { kind: tap }, tokens: 'all', cacheDir });
      const file = tap === 'prenorm' ? 'prenorm.npy' : 'last_hidden_state.npy';
      expect(maxAbsDiff(features.data, (await readNpyFloat32(join(clip, 'reference', file))).data)).toBeLessThan(1e-4);
    }
  });

  it('CLIP default (layer -2, patch tokens) says what it resolved; pooled gives image_embeds', async () => {
    const features = await embed({ model: clip, images: [images[0]!], cacheDir });
    expect(features.log).toMatch(/model: clip \(@mmvp\/encoder-clip@\S+\) .*vision_model\.onnx: 4 layers, width 64, input 32x32, grid 4x4/);
    expect(features.log).toMatch(/output: layer -2 = hidden_states\[3\], tokens patch/);
    expect(features.log).toMatch(/encoded 1\/1 images/);
    expect(features.dims).toEqual([1, 16, 64]);
    const reference = await readNpyFloat32(join(clip, 'reference', 'hidden_states.npy'));
    expect(maxAbsDiff(features.data, hiddenStateLayer(reference, 3, 1).subarray(0, 16 * 64))).toBeLessThan(1e-4);
    const pooled = await embed({ model: clip, images, pooled: true });
    expect(pooled.dims).toEqual([3, 32]);
    expect(maxAbsDiff(pooled.data, (await readNpyFloat32(join(clip, 'reference', 'image_embeds.npy'))).data)).toBeLessThan(1e-4);
  });

  it('CLIP texts give text_embeds equal to PyTorch', async () => {
    const texts = JSON.parse(readFileSync(join(clip, 'reference', 'texts.json'), 'utf8')) as string[];
    const embeds = await embed({ model: clip, texts });
    expect(embeds.dims).toEqual([4, 32]);
    expect(maxAbsDiff(embeds.data, (await readNpyFloat32(join(clip, 'reference', 'text_embeds.npy'))).data)).toBeLessThan(1e-4);
  });

  it("a CLIP text longer than the model's positions warns that it is cut, naming the text and both lengths (m20)", async () => {
    const long = 'a photo of a small red cat sitting on a wooden chair next to an open window in the morning light';
    const result = await embed({ model: clip, texts: ['a photo of a cat', long] });
    const warnings = result.log.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(1); // the short text is not flagged
    expect(warnings[0]).toMatch(/^warning: --text 2 \("a photo of a small red cat sitting on a wooden chair next\.\.\."\) is (\d+) tokens with BOS\/EOS; the model reads 16, so the rest is cut/);
    expect(Number(/is (\d+) tokens/.exec(warnings[0]!)![1])).toBeGreaterThanOrEqual(long.split(' ').length + 2); // at least a token a word, plus BOS and EOS
  });

  it('DINOv2: prenorm patch tokens (default), processor clip, and every layer', async () => {
    const features = await embed({ model: dino, images, processor: 'clip', clipModel: clip, cacheDir });
    expect(features.log).toMatch(/output: prenorm = hidden_states\[3\], tokens patch/);
    expect(features.dims).toEqual([3, 16, 48]);
    const referenceClip = await readNpyFloat32(join(dino, 'reference', 'hidden_states_clip.npy'));
    expect(maxAbsDiff(features.data, hiddenStateLayer(referenceClip, 3, 1))).toBeLessThan(1e-4);
    const reference = await readNpyFloat32(join(dino, 'reference', 'hidden_states.npy'));
    for (const layer of [0, 1, 2, 3]) {
      const layerFeatures = await embed({ model: dino, images, tap: { kind: 'layer', layer }, tokens: 'all', cacheDir });
      expect(maxAbsDiff(layerFeatures.data, hiddenStateLayer(reference, layer))).toBeLessThan(1e-4);
    }
    const pooled = await embed({ model: dino, images, pooled: true });
    expect(maxAbsDiff(pooled.data, (await readNpyFloat32(join(dino, 'reference', 'pooler_output.npy'))).data)).toBeLessThan(1e-4);
  });

  it('gives one clear error for bad input', async () => {
    const noLayer = await failure({ model: clip, images: [images[0]!], tap: { kind: 'layer', layer: 9 } });
    expect(noLayer.message).toMatch(/layer 9 does not exist: this encoder has 4 layers, so hidden_states indices run from -5 to 4/);
    const noConfig = await failure({ model: scratch, images: [images[0]!] });
    expect(noConfig.message).toMatch(/has no config\.json/);
    const textOnDino = await failure({ model: dino, texts: ['a dog'] });
    expect(textOnDino.message).toMatch(/--text needs a CLIP or SigLIP model; .*tiny-dinov2\/config\.json is a dinov2 model/);
    const missingImage = await failure({ model: clip, images: [join(scratch, 'nope.png')] });
    expect(missingImage.message).toMatch(/nope\.png/);
  });
});

describe('embedFeatures: non-finite encoder outputs', () => {
  let scratch = '';
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-embed-nan-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  const poisoned = (source: string, name: string, file: string, initializer: RegExp) => modelWithNanWeight(source, scratch, name, file, initializer);

  it('a model with NaN weights fails with a NumericError naming the file, output and first bad index (#13.4)', async () => {
    const badClip = await poisoned(clip, 'nan-clip', 'vision_model.onnx', /patch_embedding\.weight$/);
    const badText = await poisoned(clip, 'nan-clip-text', 'text_model.onnx', /position_embedding\.weight$/);
    const badDino = await poisoned(dino, 'nan-dino', 'model.onnx', /patch_embeddings\.projection\.weight$/);
    const cases: [EmbedFeaturesOptions, RegExp][] = [
      [{ model: badClip, images, pooled: true }, /nan-clip\/onnx\/vision_model\.onnx: output 'image_embeds' has NaN at index 0 \[0, 0\] of shape \[3, \d+\]/],
      [{ model: badClip, images, tap: { kind: 'layer', layer: 1 }, cacheDir: join(scratch, 'nan-cache') }, /nan-clip\/onnx\/vision_model\.onnx: output '[^']+' has NaN at index 0 \[0, 0, 0\] of shape \[3, 16, \d+\]/],
      [{ model: badDino, images }, /nan-dino\/onnx\/model\.onnx: output '[^']+' has NaN at index 0/],
      [{ model: badDino, images, pooled: true }, /nan-dino\/onnx\/model\.onnx: output 'pooler_output' has NaN at index 0/],
      [{ model: badText, texts: ['a photo of a cat'] }, /nan-clip-text\/onnx\/text_model\.onnx: output 'text_embeds' has NaN at index 0/],
    ];
    for (const [options, message] of cases) {
      const error = await failure(options);
      expect(error.name).toBe('NumericError');
      expect(error.message).toMatch(message);
    }
  });
});
