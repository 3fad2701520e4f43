import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpyFloat32, type Tensor } from '@mmvp/core';
import { createVisualTokenizer, loadPipelineConfig } from './index';
import { createPipeline } from '../create-pipeline';

// End to end against PyTorch: image file -> @mmvp/image processor -> tiny ONNX encoders -> adapters
// -> strategy, compared with tools/make_mof_references.py's tokens (models/tiny-mof/reference, and
// models/tiny-siglip/reference for the SigLIP pipelines).
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const configs = join(root, 'configs', 'pipelines');
const reference = join(root, 'models', 'tiny-mof', 'reference');
const images = [0, 1, 2].map((k) => join(root, 'models', 'tiny-clip', 'reference', 'images', `image-${k}.png`));

function maxAbsDifference(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

describe('tiny pipelines (configs/pipelines/tiny-*.json) against PyTorch', () => {
  it('clip-only and interleaved tokens', async () => {
    for (const [config, file] of [
      ['tiny-clip.json', 'tokens_clip.npy'],
      ['tiny-imof.json', 'tokens_interleaved.npy'],
    ] as const) {
      const tokenizer = await createVisualTokenizer(await loadPipelineConfig(join(configs, config)));
      const tokens = await tokenizer.visualTokens(images);
      const difference = maxAbsDifference(tokens, await readNpyFloat32(join(reference, file)));
      console.log(`${config}: max abs difference ${difference.toExponential(2)}`);
      expect(difference, config).toBeLessThan(1e-4);
      await tokenizer.dispose();
    }
  });

  it('additive at r = 0, 0.25, 0.75 and 1 (one encoding, swept), and the config ratio 0.75', async () => {
    const tokenizer = await createVisualTokenizer(await loadPipelineConfig(join(configs, 'tiny-amof-0.75.json')));
    const features = await tokenizer.encode(images);
    expect(maxAbsDifference(features.dino!, await readNpyFloat32(join(reference, 'dino64_prenorm_patch.npy')))).toBeLessThan(1e-4);
    const sweep = await tokenizer.mixture.sweep(features, [0, 0.25, 0.75, 1]);
    for (const { dinoRatio, tokens } of sweep) {
      const file = `tokens_additive_${String(dinoRatio.toFixed(2)).replace(/0$/, '').replace('.', '_')}.npy`;
      const difference = maxAbsDifference(tokens, await readNpyFloat32(join(reference, file)));
      console.log(`additive r=${dinoRatio}: max abs difference ${difference.toExponential(2)}`);
      expect(difference, file).toBeLessThan(1e-4);
    }
    const direct = await tokenizer.visualTokens(images);
    expect(maxAbsDifference(direct, await readNpyFloat32(join(reference, 'tokens_additive_0_75.npy')))).toBeLessThan(1e-4);
    await tokenizer.dispose();
  });

  it('SigLIP + DINOv2 (additive 0.75 and interleaved): the tokens equal PyTorch, and the pipeline answers with them in place of <image>', async () => {
    const siglipReference = join(root, 'models', 'tiny-siglip', 'reference');
    for (const [config, file, count] of [
      ['tiny-siglip-amof-0.75.json', 'tokens_siglip_amof_0_75.npy', 16],
      ['tiny-siglip-imof.json', 'tokens_siglip_imof.npy', 32],
    ] as const) {
      const loaded = await loadPipelineConfig(join(configs, config));
      const tokenizer = await createVisualTokenizer(loaded);
      const tokens = await tokenizer.visualTokens(images); // [3, T, 64]
      expect(tokens.dims, config).toEqual([3, count, 64]);
      expect(maxAbsDifference(tokens, await readNpyFloat32(join(siglipReference, file))), config).toBeLessThan(1e-4);
      await tokenizer.dispose();
      const pipeline = await createPipeline(loaded);
      try {
        const answer = await pipeline.ask({ image: images[2]!, question: 'Is the door open?' });
        expect(answer.visualTokenCount, config).toBe(count); // the SigLIP (+ DINOv2) tokens replaced <image>
        expect(answer.tokenIds.length, config).toBeGreaterThan(0);
      } finally {
        await pipeline.dispose();
      }
    }
  });

  it('shares encoders given in options.encoders: same tokens as its own encoders, and leaves them open on dispose', async () => {
    const owner = await createVisualTokenizer(await loadPipelineConfig(join(configs, 'tiny-amof-0.75.json')));
    const own = await createVisualTokenizer(await loadPipelineConfig(join(configs, 'tiny-amof-0.75.json')));
    const shared = await createVisualTokenizer(await loadPipelineConfig(join(configs, 'tiny-amof-0.75.json')), { encoders: owner.encoders });
    expect(shared.encoders.clip).toBe(owner.encoders.clip);
    expect(shared.encoders.dino).toBe(owner.encoders.dino);
    expect(maxAbsDifference(await shared.visualTokens(images), await own.visualTokens(images))).toBe(0);
    await shared.dispose();
    await own.dispose();
    // the owner's encoders still run after the sharer is disposed
    expect(maxAbsDifference(await owner.visualTokens(images), await readNpyFloat32(join(reference, 'tokens_additive_0_75.npy')))).toBeLessThan(1e-4);
    await owner.dispose();
  });
  it('a tap the encoder cannot give fails when the pipeline is built, naming the config file and field', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'mmvp-bad-tap-'));
    try {
      const config = JSON.parse(await readFile(join(configs, 'tiny-clip.json'), 'utf8')) as { encoders: { clip: Record<string, unknown> } };
      config.encoders.clip.tap = { kind: 'layer', layer: 99 };
      const path = join(scratch, 'bad-tap.json');
      // relative paths in the committed config resolve against configs/pipelines: keep them valid from here
      await writeFile(path, JSON.stringify(config).replaceAll('"../../', `"${root}`));
      const error = await createVisualTokenizer(await loadPipelineConfig(path)).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('InvalidConfigError');
      expect((error as Error).message).toContain(`${path}: encoders.clip.tap {"kind":"layer","layer":99}: layer 99 does not exist`);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
