import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { decodeNpy, readNpyFloat32 } from '@mmvp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = `${root}packages/image/src/__fixtures__/pillow/`;

async function mmvp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Python's pixel_values (tools/make_image_fixtures.py, Pillow 9.4 + the HF processor steps in numpy). */
function pillowReference(name: string): { data: Float32Array; dims: readonly number[] } {
  const npy = decodeNpy(gunzipSync(readFileSync(`${fixtures}${name}`)), name);
  return { data: npy.data as Float32Array, dims: npy.dims };
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('mmvp preprocess', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-preprocess-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('matches Pillow + the HF processor for CLIP-336 with --pad-square (LLaVA-1.5)', async () => {
    const out = join(scratch, 'tall.npy');
    const result = await mmvp('preprocess', '--config', 'configs/preprocessors/clip-vit-large-patch14-336/preprocessor_config.json', '--image', `${fixtures}inputs/tall-90x250.png`, '--pad-square', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('resize shortest edge 336, bicubic, crop 336x336 floor, pad to square on');
    const ours = await readNpyFloat32(out);
    const expected = pillowReference('process-tall-90x250-clip-336-pad-pixel-values.npy.gz');
    expect(ours.dims).toEqual([1, ...expected.dims]);
    expect(maxAbsDifference(ours.data, expected.data)).toBeLessThanOrEqual(1e-5);
  });

  it("runs the README's command on the shipped sample", async () => {
    const out = join(scratch, 'pixel_values.npy');
    const result = await mmvp('preprocess', '--config', 'configs/preprocessors/clip-vit-large-patch14-336', '--image', 'assets/samples/photo.jpg', '--pad-square', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(out);
    const ours = await readNpyFloat32(out);
    expect(ours.dims).toEqual([1, 3, 336, 336]);
    expect((await readFile(out)).subarray(1, 6).toString()).toBe('NUMPY');
  });

  it('fails with one clear line on bad input', async () => {
    const config = 'configs/preprocessors/dinov2-large/preprocessor_config.json';
    const missing = await mmvp('preprocess', '--config', config, '--image', join(scratch, 'missing.jpg'), '--out', join(scratch, 'x.npy'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/mmvp: FileFormatError: cannot read image .*missing\.jpg: no such file\n$/);
    const rounding = await mmvp('preprocess', '--config', config, '--image', 'assets/samples/photo.jpg', '--crop-rounding', 'ceil', '--out', join(scratch, 'x.npy'));
    expect(rounding.code).toBe(1);
    expect(rounding.stderr).toBe("mmvp: InvalidArgumentError: --crop-rounding 'ceil' is not valid; valid choices: 'floor' or 'round'\n");
    const badConfig = await mmvp('preprocess', '--config', `${fixtures}inputs/tiny-16x12.png`, '--image', 'assets/samples/photo.jpg', '--out', join(scratch, 'x.npy'));
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toMatch(/mmvp: InvalidConfigError: .*tiny-16x12\.png is not valid JSON/);
  });

  it('creates missing --out folders; refuses a folder as --out and a config folder without preprocessor_config.json', async () => {
    const config = 'configs/preprocessors/clip-vit-large-patch14';
    const nested = join(scratch, 'new', 'deeper', 'pixels.npy');
    const created = await mmvp('preprocess', '--config', config, '--image', 'assets/samples/photo.jpg', '--out', nested);
    expect(created.code).toBe(0);
    expect((await readNpyFloat32(nested)).dims).toEqual([1, 3, 224, 224]);

    const folder = join(scratch, 'out-folder');
    await mkdir(folder);
    const onto = await mmvp('preprocess', '--config', config, '--image', 'assets/samples/photo.jpg', '--out', folder);
    expect(onto.code).toBe(1);
    expect(onto.stderr).toBe(`mmvp: InvalidArgumentError: --out ${folder} is a folder; give a file path such as ${join(folder, 'pixel_values.npy')}\n`);
    expect((await stat(folder)).isDirectory()).toBe(true);

    const emptyModel = join(scratch, 'empty-model');
    await mkdir(emptyModel);
    const noConfig = await mmvp('preprocess', '--config', emptyModel, '--image', 'assets/samples/photo.jpg', '--out', join(scratch, 'x.npy'));
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toBe(`mmvp: FileFormatError: --config ${emptyModel} is a folder without preprocessor_config.json; give the file itself or a model folder that has one\n`);
    const missing = await mmvp('preprocess', '--config', join(scratch, 'nowhere'), '--image', 'assets/samples/photo.jpg', '--out', join(scratch, 'x.npy'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--config .*nowhere: no such file or folder; give a preprocessor_config.json or a model folder that has one\n$/);
  });

  // The refusal of each kind of non-preprocessor JSON, the round crop against torchvision and SVG input are
  // checked on the library (packages/image/src/preprocess-reference.test.ts, decode-image.test.ts); here,
  // that such a refusal is one line, exit code 1, before --out is created.
  it('refuses a --config that is JSON but not a preprocessor config in one line, and leaves no --out folder (#13.10, m21)', async () => {
    const empty = join(scratch, 'empty.json');
    await writeFile(empty, '{}\n');
    const out = join(scratch, 'never', 'x.npy');
    const result = await mmvp('preprocess', '--config', empty, '--image', 'assets/samples/photo.jpg', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^mmvp: InvalidConfigError: ${empty.replace(/[.]/g, '\\.')} is not a preprocessor config \\(it is an empty object\\): expected image_processor_type .*\\n$`));
    await expect(stat(join(scratch, 'never'))).rejects.toThrow(/ENOENT/);
  });
});
