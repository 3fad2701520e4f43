import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFloat32 } from '@mmvp/core';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const image = (k: number): string => join(root, 'models', 'tiny-clip', 'reference', 'images', `image-${k}.png`);

async function mmvp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('mmvp tokens', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-tokens-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes the I-MoF tokens [2N, H] of one image, equal to PyTorch, and prints what it resolved', async () => {
    const out = join(scratch, 'tokens.npy');
    const result = await mmvp('tokens', '--pipeline', join(root, 'configs', 'pipelines', 'tiny-imof.json'), '--image', image(1), '--out', out);
    expect(result.stderr).toMatch(/encoder clip: @mmvp\/encoder-clip@\S+ .*tiny-clip \(width 64, grid 4x4, tap layer -2, tokens patch\)/);
    expect(result.stderr).toMatch(/encoder dino: @mmvp\/encoder-dinov2@\S+ .*tiny-dinov2 \(width 48, grid 4x4, tap prenorm, tokens patch, pixels clip\)/);
    expect(result.stderr).toMatch(/adapter dino: mlp2x_gelu .*imof-projectors.safetensors \(model.dino_mm_projector\) 48 -> 64/);
    expect(result.stderr).toMatch(/strategy: interleaved/);
    expect(result.stderr).toMatch(/\nkernels: wasm \(WebAssembly SIMD f32x4 .*\)\n/); // the default: wasm first
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(out);
    const tokens = await readNpyFloat32(out);
    expect(tokens.dims).toEqual([32, 64]);
    const reference = await readNpyFloat32(join(root, 'models', 'tiny-mof', 'reference', 'tokens_interleaved.npy')); // [3, 32, 64]
    let max = 0;
    for (let i = 0; i < 32 * 64; i++) max = Math.max(max, Math.abs(tokens.data[i]! - reference.data[32 * 64 + i]!));
    expect(max).toBeLessThan(1e-4);
  });

  // The backends' equal tokens, a CUDA provider that cannot start, a bad config, a missing image and NaN
  // adapter weights are checked on the library (packages/pipeline/src/config/visual-tokens-kernels.test.ts);
  // here, that the flags reach it and the errors are one line.
  it('--kernels picks the backend (printed); --device alone names the flag it needs', async () => {
    const pipeline = join(root, 'configs', 'pipelines', 'tiny-amof-0.75.json');
    const out = join(scratch, 'amof-js.npy');
    const result = await mmvp('tokens', '--pipeline', pipeline, '--image', image(1), '--out', out, '--kernels', 'js');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/\nkernels: js \(/);
    expect((await readNpyFloat32(out)).dims).toEqual([16, 64]);

    const deviceAlone = await mmvp('tokens', '--pipeline', pipeline, '--image', image(1), '--out', join(scratch, 'x.npy'), '--device', 'webgpu');
    expect(deviceAlone.stderr).toMatch(/--device webgpu runs the 'ort' kernels on that execution provider: add --kernels ort/);
  });

  it('a missing adapter file: the resolved config, then one error line naming the config field', async () => {
    const noWeights = join(scratch, 'no-weights.json');
    await writeFile(
      noWeights,
      JSON.stringify({
        encoders: { clip: { use: '@mmvp/encoder-clip', model: join(root, 'models', 'tiny-clip') } },
        adapters: { clip: { type: 'mlp2x_gelu', weights: 'missing.safetensors' } },
        strategy: { name: 'clip' },
      }),
    );
    const missingWeights = await mmvp('tokens', '--pipeline', noWeights, '--image', image(0), '--out', join(scratch, 'x.npy'));
    expect(missingWeights.code).toBe(1);
    expect(missingWeights.stderr).toMatch(/^pipeline: .*no-weights.json\n/); // the resolved config, then the error
    expect(missingWeights.stderr.split('\n')[1]).toBe(
      `mmvp: InvalidConfigError: ${noWeights}: adapters.clip.weights: no such file ${join(scratch, 'missing.safetensors')} (relative paths resolve against the config's folder)`,
    );
  });

  it('creates missing --out folders, and refuses a folder as --out before loading anything', async () => {
    const pipeline = join(root, 'configs', 'pipelines', 'tiny-clip.json');
    const nested = join(scratch, 'runs', 'one', 'tokens.npy');
    const created = await mmvp('tokens', '--pipeline', pipeline, '--image', image(0), '--out', nested);
    expect(created.code).toBe(0);
    expect((await readNpyFloat32(nested)).dims).toEqual([16, 64]);
    const folder = join(scratch, 'a-folder');
    await mkdir(folder);
    const onto = await mmvp('tokens', '--pipeline', pipeline, '--image', image(0), '--out', folder);
    expect(onto.code).toBe(1);
    expect(onto.stderr).toBe(`mmvp: InvalidArgumentError: --out ${folder} is a folder; give a file path such as ${join(folder, 'visual-tokens.npy')}\n`);
  });
});
