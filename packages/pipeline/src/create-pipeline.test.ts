import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, NoSuchComponentError, type ImageSource } from '@mmvp/core';
import { loadAdapter } from '@mmvp/adapters';
import { createPatchProjectionEncoder } from 'mmvp-example-encoder';
import { createPipeline, type Pipeline } from './create-pipeline';
import { loadPipelineConfig, parsePipelineConfig } from './config/index';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const image = (k: number): string => join(root, 'models', 'tiny-clip', 'reference', 'images', `image-${k}.png`);
const tinyClip = join(root, 'configs', 'pipelines', 'tiny-clip.json');
const exampleConfig = join(root, 'examples', 'encoder-patch-projection', 'pipeline.json');

interface PipelineCase {
  image: string;
  question: string;
  options: string;
  greedy_ids: number[];
  greedy_text: string;
}

/** A pipeline whose visual tokenizer records the images of every batch it encodes. */
async function countingPipeline(): Promise<{ pipeline: Pipeline; calls: (readonly ImageSource[])[] }> {
  const pipeline = await createPipeline(await loadPipelineConfig(tinyClip));
  const calls: (readonly ImageSource[])[] = [];
  const original = pipeline.visualTokenizer.visualTokens.bind(pipeline.visualTokenizer);
  (pipeline.visualTokenizer as { visualTokens: typeof original }).visualTokens = (images, options) => {
    calls.push(images);
    return original(images, options);
  };
  return { pipeline, calls };
}

describe('createPipeline on configs/pipelines/tiny-clip.json', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await createPipeline(await loadPipelineConfig(tinyClip));
  });
  afterAll(async () => pipeline.dispose());

  it('answers like PyTorch end to end (image -> tiny CLIP -> adapter -> tiny Llama, greedy, lmms prompt)', async () => {
    const reference = JSON.parse(await readFile(join(root, 'models', 'tiny-llama', 'reference', 'pipeline_cases.json'), 'utf8')) as { cases: PipelineCase[] };
    for (const c of reference.cases) {
      const answer = await pipeline.ask({ image: join(root, c.image), question: c.question, options: c.options, maxNewTokens: 16 });
      expect(answer.tokenIds).toEqual(c.greedy_ids);
      expect(answer.text).toBe(c.greedy_text.replace(/^ /, ''));
      expect(answer.visualTokenCount).toBe(16);
      expect(answer.prompt).toBe(
        `${c.question}\nA. ${c.options.slice(4, c.options.indexOf(' (b)'))}\nB. ${c.options.slice(c.options.indexOf('(b) ') + 4)}\nAnswer with the option's letter from the given choices directly.`,
      );
    }
  });

  it('encodes each image once and shares it across questions; a batch equals one-by-one answers', async () => {
    const one = await countingPipeline();
    const a = await one.pipeline.ask({ image: image(2), question: 'Is the cup red?', options: '(a) yes (b) no', prompt: 'original' });
    const b = await one.pipeline.ask({ image: image(2), question: 'How many cats are there?' });
    const c = await one.pipeline.ask({ image: image(0), question: 'What is it?' });
    expect(one.calls).toEqual([[image(2)], [image(0)]]);
    expect(a.prompt).toBe('Is the cup red? (a) yes (b) no');
    expect(a.templatedPrompt).toContain('USER: <image>\nIs the cup red? (a) yes (b) no ASSISTANT:');
    const many = await countingPipeline();
    const batch = await many.pipeline.askMany([
      { image: image(2), question: 'Is the cup red?', options: '(a) yes (b) no', prompt: 'original' },
      { image: image(0), question: 'What is it?' },
      { image: image(2), question: 'How many cats are there?' },
    ]);
    expect(many.calls).toEqual([[image(2), image(0)]]); // one encoder batch, each image once
    expect(batch.map((x) => x.tokenIds)).toEqual([a.tokenIds, c.tokenIds, b.tokenIds]);
    await one.pipeline.dispose();
    await many.pipeline.dispose();
  });

  it('lists what it resolved', () => {
    const lines = pipeline.describe().join('\n');
    expect(lines).toMatch(/encoder clip: @mmvp\/encoder-clip@/);
    expect(lines).toMatch(/decoder: .*tiny-llama \(llama, hidden 64, 2 layers, 4 heads \/ 2 KV heads, max 256 positions\); template llava_v1, prompt lmms, greedy/);
  });
});

describe('swapping the encoder by package name', () => {
  it('uses mmvp-example-encoder (a workspace package outside packages/) named in the config', async () => {
    const pipeline = await createPipeline(await loadPipelineConfig(exampleConfig));
    expect(pipeline.describe()[0]).toMatch(/^encoder clip: mmvp-example-encoder@0\.1\.0 .* \(width 64, grid 4x4/);
    const tokens = await pipeline.visualTokens(image(1)); // [16, 64]
    // the same thing assembled by hand from the package and the adapter
    const encoder = await createPatchProjectionEncoder({ imageSize: 32, patchSize: 8, hiddenSize: 64, seed: 0 });
    const features = await encoder.encodePixels(await encoder.preprocess([image(1)]), { tokens: 'patch' }); // [1, 16, 64]
    const adapter = await loadAdapter({ type: 'mlp2x_gelu', weightsPath: join(root, 'models', 'tiny-mof', 'llava-mm_projector.safetensors'), prefix: 'model.mm_projector' });
    const expected = await adapter.project({ data: features.data, dims: [...features.dims] }); // [1, 16, 64]
    expect(tokens.dims).toEqual([16, 64]);
    let max = 0;
    for (let i = 0; i < expected.data.length; i++) max = Math.max(max, Math.abs(tokens.data[i]! - expected.data[i]!));
    expect(max).toBeLessThan(1e-5);
    const answer = await pipeline.ask({ image: image(1), question: 'What color is the flower?', options: '(a) red (b) blue' });
    expect(answer.tokenIds.length).toBeGreaterThan(0);
    await adapter.dispose();
    await pipeline.dispose();
  });

  const withEncoder = (use: string) =>
    parsePipelineConfig(
      {
        encoders: { clip: { use, model: '.' } },
        adapters: { clip: { type: 'mlp2x_gelu', weights: '../../models/tiny-mof/llava-mm_projector.safetensors' } },
        strategy: { name: 'clip' },
        decoder: { modelPath: '../../models/tiny-llama' },
      },
      { baseDir: join(root, 'configs', 'pipelines'), source: 'test config' },
    );

  it('a package that is not installed: says which and how to install it', async () => {
    const error = await createPipeline(withEncoder('mmvp-encoder-not-installed')).catch((e: unknown) => e);
    expect(NoSuchComponentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("component package 'mmvp-encoder-not-installed' is not installed; install it with `pnpm add mmvp-encoder-not-installed`");
  });

  it('an installed package that does not implement the interface: says what the default export must be', async () => {
    const error = await createPipeline(withEncoder('zod')).catch((e: unknown) => e);
    expect(NoSuchComponentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^package 'zod' does not implement a 'vision-encoder' component: its default export must be \{ specificationVersion: 'v1', kind: 'vision-encoder', optionsSchema, create\(options\) \}/,
    );
  });

  it('a config without a decoder section', async () => {
    const config = parsePipelineConfig(
      { encoders: { clip: { use: '@mmvp/encoder-clip', model: '../../models/tiny-clip' } }, adapters: { clip: { type: 'linear', weights: 'x.safetensors' } }, strategy: { name: 'clip' } },
      { baseDir: join(root, 'configs', 'pipelines'), source: 'no-decoder.json' },
    );
    const error = await createPipeline(config).catch((e: unknown) => e);
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^no-decoder.json has no 'decoder' section/);
  });
});
