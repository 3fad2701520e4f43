// SigLIP through the CLI: `mmvp tokens` / `ask` on the SigLIP + DINOv2 MoF configs (tokens against the PyTorch
// references of tools/make_tiny_siglip.py), `eval-vlm` family selection, `embed` and `mine` on a SigLIP folder.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpyFloat32 } from '@mmvp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCollection } from '../../../packages/mining/src/__fixtures__/make-collection';
import { runCli } from './helpers/run-cli';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const siglip = join(repo, 'models', 'tiny-siglip');
const image = (k: number) => join(siglip, 'reference', 'images', `image-${k}.png`);
const vlmData = join(repo, 'packages', 'metrics', 'src', '__fixtures__', 'mmvp-vlm-tiny');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-siglip-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('SigLIP + DINOv2 pipelines', () => {
  it.each([
    { config: 'tiny-siglip-amof-0.75.json', reference: 'tokens_siglip_amof_0_75.npy', tokens: 16, strategy: /strategy: additive dinoRatio 0\.75/ },
    { config: 'tiny-siglip-imof.json', reference: 'tokens_siglip_imof.npy', tokens: 32, strategy: /strategy: interleaved/ },
  ])('$config: mmvp tokens equals PyTorch (max abs diff < 1e-4) and mmvp ask answers', async ({ config, reference, tokens, strategy }) => {
    const pipeline = join(repo, 'configs', 'pipelines', config);
    const out = join(scratch, `${config}.npy`);
    const result = await runCli(['tokens', '--pipeline', pipeline, '--image', image(2), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/encoder clip: @mmvp\/encoder-siglip@\S+ .*tiny-siglip \(width 64, grid 4x4, tap layer -2, tokens patch\)/);
    expect(result.stderr).toMatch(strategy);
    const got = await readNpyFloat32(out);
    expect(got.dims).toEqual([tokens, 64]);
    const expected = await readNpyFloat32(join(siglip, 'reference', reference)); // [3, T, 64]
    expect(maxAbsDiff(got.data, expected.data.subarray(2 * tokens * 64, 3 * tokens * 64))).toBeLessThan(1e-4);
    const asked = await runCli(['ask', '--pipeline', pipeline, '--image', image(2), '--question', 'Is the door open?', '--json']);
    expect(asked.code, asked.stderr).toBe(0);
    const answer = JSON.parse(asked.stdout) as { visualTokenCount: number; response: string; tokenIds: number[] };
    expect(answer.visualTokenCount).toBe(tokens); // the SigLIP (+ DINOv2) tokens replaced <image>
    expect(answer.tokenIds.length).toBeGreaterThan(0);
    expect(typeof answer.response).toBe('string');
  });
});

describe('mmvp eval-vlm picks the family from config.json', () => {
  it('SigLIP: the checkpoint logit scale and bias, sigmoid columns, the same decisions as PyTorch', async () => {
    const out = join(scratch, 'vlm-siglip');
    const result = await runCli(['eval-vlm', '--model', siglip, '--data', vlmData, '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/family siglip \(logit scale 12\.5\d*, bias -7\.5\); @mmvp\/encoder-siglip /);
    const reference = JSON.parse(await readFile(join(siglip, 'reference', 'mmvp-vlm.json'), 'utf8')) as { pairs: { pred1: string; pred2: string }[] };
    const csv = (await readFile(join(out, 'vlm-pairs.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/,sigmoid_t1_i1,sigmoid_t1_i2,sigmoid_t2_i1,sigmoid_t2_i2$/);
    expect(csv.slice(1).map((line) => line.split(',').slice(3, 5))).toEqual(reference.pairs.map((pair) => [pair.pred1, pair.pred2]));
  });

  it('an unknown model_type: one line listing the supported ones', async () => {
    const dir = join(scratch, 'eva');
    await cp(join(repo, 'models', 'tiny-clip'), dir, { recursive: true, filter: (src) => !src.includes('reference') });
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'eva-clip' }));
    const result = await runCli(['eval-vlm', '--model', dir, '--data', vlmData, '--out', join(scratch, 'vlm-eva')]);
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^mmvp: ModelLoadError: .*config\.json has model_type 'eva-clip', which no encoder package here runs; supported model_type values: 'clip', 'clip_vision_model', 'siglip' or 'siglip_vision_model'/,
    );
  });
});

describe('mmvp embed and mine on a SigLIP folder', () => {
  it('embed: hidden_states[-2] patch tokens and the text pooler_output equal PyTorch', async () => {
    const out = join(scratch, 'embed.npy');
    const result = await runCli(['embed', '--model', siglip, '--image', image(0), image(1), image(2), '--layer', '-2', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/model: siglip \(@mmvp\/encoder-siglip@\S+\) .*vision_model\.onnx: 3 layers, width 64, input 32x32, grid 4x4/);
    const hidden = await readNpyFloat32(join(siglip, 'reference', 'hidden_states.npy')); // [4, 3, 16, 64]
    expect(maxAbsDiff((await readNpyFloat32(out)).data, hidden.data.subarray(2 * 3 * 16 * 64, 3 * 3 * 16 * 64))).toBeLessThan(1e-4);
    const texts = JSON.parse(await readFile(join(siglip, 'reference', 'texts.json'), 'utf8')) as string[];
    const textOut = join(scratch, 'text.npy');
    const text = await runCli(['embed', '--model', siglip, ...texts.flatMap((t) => ['--text', t]), '--out', textOut]);
    expect(text.code, text.stderr).toBe(0);
    expect(maxAbsDiff((await readNpyFloat32(textOut)).data, (await readNpyFloat32(join(siglip, 'reference', 'text_pooler_output.npy'))).data)).toBeLessThan(1e-4);
  });

  it('mine: --clip accepts a SigLIP folder (its pooled embedding is named in the run)', async () => {
    const images = join(scratch, 'images');
    await makeCollection(images);
    const out = join(scratch, 'mine');
    const result = spawnSync(
      process.execPath,
      [join(repo, 'apps/cli/dist/cli.js'), 'mine', '--clip', siglip, '--dino', join(repo, 'models/tiny-dinov2'), '--images', images, '--clip-min', '0.5', '--dino-max', '0.95', '--out', out],
      { encoding: 'utf8', timeout: 300_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(`${result.stderr}${await readFile(join(out, 'mine.json'), 'utf8').catch(() => '')}`).toMatch(/SigLIP attention-pooling head/);
  });
});
