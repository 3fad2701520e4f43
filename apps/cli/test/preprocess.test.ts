import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readNpyFloat32 } from '@mmvp/core';
import { maxAbsDifference, pillowFixtures, pillowReference } from '../../../packages/image/src/__fixtures__/pillow-reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = pillowFixtures;

async function mmvp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('mmvp preprocess', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-preprocess-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('smoke: prints what it resolved, writes pixel_values that match Pillow + the HF processor for CLIP-336 with --pad-square (LLaVA-1.5)', async () => {
    const out = join(scratch, 'tall.npy');
    const result = await mmvp('preprocess', '--config', 'configs/preprocessors/clip-vit-large-patch14-336/preprocessor_config.json', '--image', `${fixtures}inputs/tall-90x250.png`, '--pad-square', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(out);
    expect(result.stderr).toContain('resize shortest edge 336, bicubic, crop 336x336 floor, pad to square on');
    const ours = await readNpyFloat32(out);
    const expected = pillowReference('process-tall-90x250-clip-336-pad-pixel-values.npy.gz');
    expect(ours.dims).toEqual([1, ...expected.dims]);
    expect(maxAbsDifference(ours.data, expected.data)).toBeLessThanOrEqual(1e-5);
  });

  // A missing image (decode-image.test.ts) and a config that is not JSON (preprocessor-config.test.ts) are named
  // by the library; here, a bad flag value.
  it('fails with one clear line on a bad flag', async () => {
    const config = 'configs/preprocessors/dinov2-large/preprocessor_config.json';
    const rounding = await mmvp('preprocess', '--config', config, '--image', 'assets/samples/photo.jpg', '--crop-rounding', 'ceil', '--out', join(scratch, 'x.npy'));
    expect(rounding.code).toBe(1);
    expect(rounding.stderr).toBe("mmvp: InvalidArgumentError: --crop-rounding 'ceil' is not valid; valid choices: 'floor' or 'round'\n");
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
