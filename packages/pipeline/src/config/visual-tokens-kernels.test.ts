/**
 * What `mmvp tokens` computes, checked on the library (moved from apps/cli/test/tokens.test.ts, same
 * checks: the kernel backends give the same A-MoF tokens bit for bit, and a bad config, a missing image
 * and NaN adapter weights fail naming what is wrong; the CLI keeps its smoke run, flag errors and --out).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, readSafetensors } from '@mmvp/core';
import { createVisualTokenizer, loadPipelineConfig, type PipelineConfig } from './index';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const image = (k: number): string => join(root, 'models', 'tiny-clip', 'reference', 'images', `image-${k}.png`);

/** The config with one kernel backend on one execution provider (what `--kernels X --device Y` sets). */
function withKernels(config: PipelineConfig, backend: 'wasm' | 'js' | 'ort', executionProvider: 'cpu' | 'cuda' = 'cpu'): PipelineConfig {
  return { ...config, kernels: { backend: [backend], executionProvider } } as PipelineConfig;
}

/** Visual tokens of one image and the tokenizer's resolved lines; the tokenizer is disposed. */
async function tokensOf(config: PipelineConfig, path: string): Promise<{ data: Float32Array; lines: string }> {
  const tokenizer = await createVisualTokenizer(config);
  try {
    const lines = tokenizer.describe().join('\n');
    const tokens = await tokenizer.visualTokens([path]); // [1, T, H]
    return { data: tokens.data as Float32Array, lines };
  } finally {
    await tokenizer.dispose();
  }
}

/** The error a promise rejects with. */
async function failure(work: () => Promise<unknown>): Promise<Error> {
  const error = await work().then(
    () => undefined,
    (thrown: unknown) => thrown as Error,
  );
  expect(error, 'should have failed').toBeInstanceOf(Error);
  return error!;
}

describe('visual tokens (what mmvp tokens computes)', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-pipeline-tokens-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('the kernel backend is said, with the same A-MoF tokens; an execution provider that cannot run here is named', async () => {
    const config = await loadPipelineConfig(join(root, 'configs', 'pipelines', 'tiny-amof-0.75.json'));
    const outputs: Float32Array[] = [];
    for (const kernels of ['wasm', 'js', 'ort'] as const) {
      const { data, lines } = await tokensOf(withKernels(config, kernels), image(1));
      expect(`\n${lines}\n`).toMatch(new RegExp(`\\nkernels: ${kernels} \\(`));
      outputs.push(data);
    }
    expect(Buffer.from(outputs[1]!.buffer).equals(Buffer.from(outputs[0]!.buffer))).toBe(true); // wasm = js, bit for bit
    expect(Buffer.from(outputs[2]!.buffer).equals(Buffer.from(outputs[0]!.buffer))).toBe(true); // ort cpu too

    const cuda = await tokensOf(withKernels(config, 'ort', 'cuda'), image(1)).then(
      (result) => ({ ok: true as const, lines: result.lines }),
      (error: Error) => ({ ok: false as const, message: error.message }),
    );
    if (cuda.ok)
      expect(cuda.lines).toMatch(/kernels: ort \(onnxruntime-node \S+ EP 'cuda'\)/); // a machine with onnxruntime's CUDA libraries
    else
      expect(cuda.message).toMatch(
        /no kernel backend could start \(tried 'ort'\): ort: onnxruntime-node \S+ cannot run the kernel graphs on execution provider 'cuda': .*\(this build lists: cpu \(bundled\), webgpu \(bundled\), cuda \(not bundled\)/,
      );
  });

  it('fails with one clear error on a bad config or a missing image', async () => {
    const config = join(scratch, 'bad.json');
    await writeFile(config, JSON.stringify({ encoders: {}, adapters: {}, strategy: { name: 'mixed' } }));
    const bad = await failure(() => loadPipelineConfig(config));
    expect(`${bad.name}: ${bad.message}\n`).toMatch(/^InvalidConfigError: .*bad.json is invalid: strategy.name: 'mixed' is not valid; choose 'clip', 'dino', 'additive', 'interleaved'\n$/);

    const clipOnly = await loadPipelineConfig(join(root, 'configs', 'pipelines', 'tiny-clip.json'));
    const missingImage = await failure(() => tokensOf(clipOnly, join(scratch, 'nope.png')));
    expect(`${missingImage.name}: ${missingImage.message}`).toMatch(/\w+Error: .*nope\.png/);
  });

  it('stops with a NumericError naming the adapter file and tensor when the weights hold NaN', async () => {
    const tensors = await readSafetensors(join(root, 'models', 'tiny-mof', 'amof-mm_projector.safetensors'));
    const bias = tensors.get('model.mm_projector.0.bias')!;
    const poisoned = new Float32Array(bias.data);
    poisoned[3] = Number.NaN;
    tensors.set('model.mm_projector.0.bias', { data: poisoned, dims: bias.dims });
    const weights = join(scratch, 'nan-projector.safetensors');
    await writeFile(weights, encodeSafetensors(tensors));
    const config = JSON.parse(await readFile(join(root, 'configs', 'pipelines', 'tiny-amof-0.75.json'), 'utf8')) as Record<string, any>;
    for (const encoder of Object.values(config.encoders) as { model: string }[]) encoder.model = join(root, 'configs', 'pipelines', encoder.model);
    config.adapters.additive.weights = 'nan-projector.safetensors'; // relative: resolved against the config's folder
    delete config.decoder;
    const path = join(scratch, 'nan.json');
    await writeFile(path, JSON.stringify(config));
    const error = await failure(async () => tokensOf(await loadPipelineConfig(path), image(0)));
    expect(`${error.name}: ${error.message}\n`).toMatch(new RegExp(`^NumericError: adapter weights ${weights}: tensor 'model.mm_projector.0.bias' \\[64\\] has a non-finite value \\(NaN\\) at flat index 3\\n$`));
  });
});
