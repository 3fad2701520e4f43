import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, NoSuchComponentError, NumericError, encodeSafetensors, readNpyFloat32, readSafetensors, type Tensor } from '@mmvp/core';
import { computeVisualTokens, createVisualTokenizer, loadComponent, loadPipelineConfig } from './index';

const here = fileURLToPath(new URL('.', import.meta.url));
const mofFixtures = join(here, '..', '..', '..', 'mof', 'src', '__fixtures__');

async function writeConfig(config: unknown, name = 'pipeline.json'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mmvp-pipeline-'));
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

const baseConfig = {
  encoders: {
    clip: { use: '@mmvp/encoder-clip', model: 'models/clip-vit-large-patch14-336', options: { padToSquare: true } },
    dino: { use: '@mmvp/encoder-dinov2', model: '/abs/models/dinov2-large' },
  },
  adapters: {
    clip: { type: 'mlp2x_gelu', weights: 'weights/mm_projector.safetensors', prefix: 'model.mm_projector' },
    dino: { type: 'mlp2x_gelu', weights: 'weights/mm_projector.safetensors', prefix: 'model.dino_mm_projector' },
  },
  strategy: { name: 'interleaved' },
  decoder: { modelPath: 'models/llava-v1.5-13b' },
};

function maxAbsDifference(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

describe('loadPipelineConfig', () => {
  it('resolves relative paths against the config file and fills defaults', async () => {
    const path = await writeConfig(baseConfig);
    const dir = join(path, '..');
    const config = await loadPipelineConfig(path);
    expect(config.encoders.clip!.model).toBe(join(dir, 'models/clip-vit-large-patch14-336'));
    expect(config.encoders.dino!.model).toBe('/abs/models/dinov2-large');
    expect(config.adapters.dino!.weights).toBe(join(dir, 'weights/mm_projector.safetensors'));
    expect(config.decoder).toEqual({ modelPath: join(dir, 'models/llava-v1.5-13b'), template: 'llava_v1', prompt: 'lmms', maxNewTokens: 128, temperature: 0, topP: 1, seed: 0 });
    expect(config.executionProvider).toBe('cpu');
    expect(config.strategy.resampleTokenGrid).toBe('none');
    expect(config.encoders.clip!.tokens).toBe('patch');
    expect(config.configPath).toBe(path);
  });

  it('an unknown tap kind, a tap given as a string, or a bad layer names the valid choices (m7)', async () => {
    const withTap = (tap: unknown) => writeConfig({ ...baseConfig, encoders: { ...baseConfig.encoders, clip: { ...baseConfig.encoders.clip, tap } } });
    const forms = '{"kind": "layer", "layer": K}, {"kind": "prenorm"} or {"kind": "last"}';
    await expect(loadPipelineConfig(await withTap({ kind: 'penultimate' }))).rejects.toThrow(`encoders.clip.tap.kind: kind is not valid; valid choices: 'layer', 'prenorm' or 'last' (${forms})`);
    await expect(loadPipelineConfig(await withTap('prenorm'))).rejects.toThrow(`encoders.clip.tap: must be an object: ${forms}, got "prenorm"`);
    await expect(loadPipelineConfig(await withTap({ kind: 'layer', layer: 1.5 }))).rejects.toThrow(/encoders\.clip\.tap\.layer: Expected integer/);
    const ok = await loadPipelineConfig(await withTap({ kind: 'layer', layer: -2 }));
    expect(ok.encoders.clip!.tap).toEqual({ kind: 'layer', layer: -2 });
  });

  it('rejects unknown keys, naming the key path and the file', async () => {
    const path = await writeConfig({ ...baseConfig, adapters: { ...baseConfig.adapters, clip: { ...baseConfig.adapters.clip, weigths: 'x' } } });
    const error = await loadPipelineConfig(path).catch((e: unknown) => e);
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/adapters\.clip: unknown key\(s\) 'weigths'/);
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, mixer: 'x' }))).rejects.toThrow(/\(top level\): unknown key\(s\) 'mixer'/);
  });

  it('rejects unknown strategy names, ratios outside [0, 1] and missing parts, listing choices', async () => {
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, strategy: { name: 'concat' } }))).rejects.toThrow(/strategy\.name: 'concat' is not valid; choose 'clip', 'dino', 'additive', 'interleaved'/);
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, strategy: { name: 'additive', dinoRatio: 1.5 } }))).rejects.toThrow(/strategy\.dinoRatio: Number must be less than or equal to 1/);
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, strategy: { name: 'additive' } }))).rejects.toThrow(/strategy\.dinoRatio: strategy 'additive' needs dinoRatio/);
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, strategy: { name: 'additive', dinoRatio: 0.5 } }))).rejects.toThrow(/adapters\.additive: strategy 'additive' needs adapters\.additive/);
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, encoders: { clip: baseConfig.encoders.clip } }))).rejects.toThrow(/encoders\.dino: strategy 'interleaved' needs encoders\.dino/);
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, strategy: { name: 'interleaved', dinoRatio: 0.5 } }))).rejects.toThrow(
      /strategy\.dinoRatio: dinoRatio applies only to strategy 'additive', not 'interleaved'/,
    );
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, encoders: { clip: baseConfig.encoders.clip, dino: { ...baseConfig.encoders.dino, tokens: 'all' } } }))).rejects.toThrow(
      /encoders\.dino\.tokens: strategy 'interleaved' pairs CLIP and DINOv2 tokens one to one, so encoders\.dino\.tokens \('all'\) must equal encoders\.clip\.tokens \('patch'\)/,
    );
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, decoder: { modelPath: 'x', template: 'vicuna' } }))).rejects.toThrow(
      /decoder\.template: 'vicuna' is not valid; choose 'llava_v1', 'vicuna_v1', 'plain', 'folder'/,
    );
  });

  it('accepts every example config in configs/pipelines', async () => {
    const dir = join(here, '..', '..', '..', '..', 'configs', 'pipelines');
    const names = ['mmvp-paper-llava-1.5-7b-clip.json', 'mmvp-paper-llava-13b-amof-0.75.json', 'lmms-eval-llava-1.5-13b-imof.json', 'tiny-clip.json', 'tiny-amof-0.75.json', 'tiny-imof.json'];
    const strategies = [];
    for (const name of names) strategies.push((await loadPipelineConfig(join(dir, name))).strategy);
    expect(strategies.map((s) => s.name)).toEqual(['clip', 'additive', 'interleaved', 'clip', 'additive', 'interleaved']);
    expect(strategies[1]!.dinoRatio).toBe(0.75);
  });

  it('names the file when it is missing or not JSON', async () => {
    await expect(loadPipelineConfig('/nonexistent/pipeline.json')).rejects.toThrow(/cannot read \/nonexistent\/pipeline.json/);
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-pipeline-folder-'));
    await expect(loadPipelineConfig(folder)).rejects.toThrow(`${folder} is a folder; a pipeline config is a JSON file (examples in configs/pipelines/)`);
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-pipeline-'));
    await writeFile(join(dir, 'broken.json'), '{ "encoders": ');
    await expect(loadPipelineConfig(join(dir, 'broken.json'))).rejects.toThrow(/broken.json is not valid JSON/);
  });
});

describe('loadComponent', () => {
  it('takes one kernel backend name as well as a list, and names the valid backends', async () => {
    const single = await loadPipelineConfig(await writeConfig({ ...baseConfig, kernels: { backend: 'ort' } }));
    expect(single.kernels?.backend).toEqual(['ort']);
    const onGpu = await loadPipelineConfig(await writeConfig({ ...baseConfig, kernels: { backend: ['wasm', 'ort'], executionProvider: 'webgpu' } }));
    expect(onGpu.kernels).toEqual({ backend: ['wasm', 'ort'], executionProvider: 'webgpu' });
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, kernels: { backend: 'ort', executionProvider: 'tpu' } }))).rejects.toThrow(/kernels\.executionProvider/);
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, kernels: { backend: 'cuda' } }))).rejects.toThrow(/kernels\.backend\.0: 'cuda' is not valid; choose 'wasm', 'js', 'gpujs', 'ort'/);
    await expect(loadPipelineConfig(await writeConfig({ ...baseConfig, kernels: { backend: [] } }))).rejects.toThrow(/kernels\.backend/);
  });

  it('says how to install a missing package', async () => {
    const error = await loadComponent({ use: '@acme/encoder-that-does-not-exist' }, 'vision-encoder').catch((e: unknown) => e);
    expect(NoSuchComponentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/'@acme\/encoder-that-does-not-exist' is not installed; install it with `pnpm add @acme\/encoder-that-does-not-exist`/);
  });

  it('rejects a module that does not implement the component interface', async () => {
    await expect(loadComponent({ use: './not-a-component.mjs' }, 'vision-encoder', { folder: join(here, '__fixtures__') })).rejects.toThrow(
      /does not implement a 'vision-encoder' component: its default export must be \{ specificationVersion: 'v1'/,
    );
    await expect(loadComponent({ use: 'zod' }, 'vision-encoder')).rejects.toThrow(/package 'zod' does not implement a 'vision-encoder' component.*pnpm add zod/);
  });
});

describe('computeVisualTokens wiring (encoder features from .npy, adapters and strategy from the config)', () => {
  const encoders = {
    clip: { use: './npy-features-encoder.mjs', model: 'clip-model', options: { featuresPath: join(mofFixtures, 'clip_features.npy') } },
    dino: { use: './npy-features-encoder.mjs', model: 'dino-model', options: { featuresPath: join(mofFixtures, 'dino_features.npy') } },
  };
  const weights = join(mofFixtures, 'projectors.safetensors');

  async function configIn(fixturesDir: string, body: unknown): Promise<string> {
    const path = join(fixturesDir, `pipeline-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, JSON.stringify(body));
    return path;
  }

  it('interleaved and additive r = 0.75 match the PyTorch tokens of image 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-pipeline-'));
    await writeFile(join(dir, 'npy-features-encoder.mjs'), await import('node:fs/promises').then((fs) => fs.readFile(join(here, '__fixtures__', 'npy-features-encoder.mjs'))));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const interleavedPath = await configIn(dir, {
      encoders,
      adapters: {
        clip: { type: 'mlp2x_gelu', weights, prefix: 'model.mm_projector', runtime: 'js' },
        dino: { type: 'mlp2x_gelu', weights, prefix: 'model.dino_mm_projector' },
      },
      strategy: { name: 'interleaved' },
    });
    const interleaved = await computeVisualTokens(await loadPipelineConfig(interleavedPath), 'image.png'); // [T, H]
    const reference = await readNpyFloat32(join(mofFixtures, 'tokens_interleaved.npy')); // [2, 32, 40]
    expect(maxAbsDifference(interleaved, { data: reference.data.subarray(0, 32 * 40), dims: [32, 40] })).toBeLessThan(1e-4);

    const additivePath = await configIn(dir, {
      encoders,
      adapters: { additive: { type: 'mlp2x_gelu', weights, prefix: 'model.mm_projector' } },
      strategy: { name: 'additive', dinoRatio: 0.75 },
      kernels: { backend: ['ort', 'js'] },
    });
    const tokenizer = await createVisualTokenizer(await loadPipelineConfig(additivePath));
    expect(tokenizer.describe().join('\n')).toMatch(/encoder clip: .*npy-features-encoder\.mjs.*width 24, grid 4x4, tap layer -2, tokens patch/);
    expect(tokenizer.describe().join('\n')).toMatch(/encoder dino: .*tap prenorm, tokens patch, pixels clip/);
    expect(tokenizer.describe().join('\n')).toMatch(/strategy: additive dinoRatio 0.75/);
    expect(tokenizer.describe()).toContain("kernels: ort (onnxruntime-node 1.30.0 EP 'cpu')"); // resolved before any image
    const additive = await tokenizer.visualTokens(['a.png', 'b.png']); // [2, 16, 40]
    expect(maxAbsDifference(additive, await readNpyFloat32(join(mofFixtures, 'tokens_additive_0_75.npy')))).toBeLessThan(1e-4);
    // The second batch mixes into the array the first used: its tokens are the same, and the first batch's are intact.
    const kept = Array.from(additive.data);
    expect(Array.from((await tokenizer.visualTokens(['a.png', 'b.png'])).data)).toEqual(kept);
    expect(Array.from(additive.data)).toEqual(kept);
    // Encode once, mix many: the sweep over the same features.
    const sweep = await tokenizer.mixture.sweep(await tokenizer.encode(['a.png', 'b.png']), [0, 1]);
    expect(maxAbsDifference(sweep[1]!.tokens, await readNpyFloat32(join(mofFixtures, 'tokens_additive_1_0.npy')))).toBeLessThan(1e-4);
    await tokenizer.dispose();
  });

  it('names the config field of a missing adapter weights file, before any encoder is built', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-pipeline-'));
    const path = await configIn(dir, {
      encoders: { clip: { use: './no-such-encoder.mjs', model: 'clip-model' } }, // never loaded: the adapter check comes first
      adapters: { clip: { type: 'mlp2x_gelu', weights: 'missing/mm_projector.safetensors' } },
      strategy: { name: 'clip' },
    });
    const error = await createVisualTokenizer(await loadPipelineConfig(path)).catch((e: unknown) => e);
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(`${path}: adapters.clip.weights: no such file ${join(dir, 'missing', 'mm_projector.safetensors')} (relative paths resolve against the config's folder)`);
  });

  it('stops with a NumericError naming the stage when the visual tokens overflow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-pipeline-'));
    await writeFile(join(dir, 'npy-features-encoder.mjs'), await import('node:fs/promises').then((fs) => fs.readFile(join(here, '__fixtures__', 'npy-features-encoder.mjs'))));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    // Finite but huge second-layer weights: every weight passes the load check, the products overflow to Inf.
    const tensors = await readSafetensors(weights);
    const huge = new Map<string, Tensor>();
    for (const [name, tensor] of tensors) {
      huge.set(name, name.endsWith('mm_projector.2.weight') ? { data: new Float32Array(tensor.data.length).fill(3e38), dims: tensor.dims } : tensor);
    }
    const hugeWeights = join(dir, 'huge.safetensors');
    await writeFile(hugeWeights, encodeSafetensors(huge));
    const path = await configIn(dir, {
      encoders: { clip: encoders.clip },
      adapters: { clip: { type: 'mlp2x_gelu', weights: hugeWeights, prefix: 'model.mm_projector', runtime: 'js' } },
      strategy: { name: 'clip' },
    });
    const error = await computeVisualTokens(await loadPipelineConfig(path), 'x.png').catch((e: unknown) => e);
    expect(NumericError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/: visual tokens after the adapters and the clip mixture \[1, 16, 40\] has a non-finite value/);
    expect((error as Error).message).toContain(path);
  });

  it('fails clearly when adapter weights do not fit the encoder width', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-pipeline-'));
    await writeFile(join(dir, 'npy-features-encoder.mjs'), await import('node:fs/promises').then((fs) => fs.readFile(join(here, '__fixtures__', 'npy-features-encoder.mjs'))));
    const path = await configIn(dir, {
      encoders: { clip: { ...encoders.clip, options: { featuresPath: join(mofFixtures, 'grid5x7_features.npy') } } }, // width 6
      adapters: { clip: { type: 'mlp2x_gelu', weights, prefix: 'model.mm_projector' } },
      strategy: { name: 'clip' },
    });
    await expect(computeVisualTokens(await loadPipelineConfig(path), 'x.png')).rejects.toThrow(/encoder width 6, adapter input width 24/);
  });
});
