import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli';

// MMVP-VLM-layout folder + PyTorch reference from tools/make_vlm_references.py (tiny CLIP of tools/tiny_models.py).
const fixture = fileURLToPath(new URL('../../../packages/metrics/src/__fixtures__/mmvp-vlm-tiny/', import.meta.url));
const model = fileURLToPath(new URL('../../../models/tiny-clip/', import.meta.url));

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-eval-vlm-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

// The scores, intervals, vlm-pairs.csv and table against the PyTorch run, a missing image and --strict are
// checked on evaluateVlm (packages/study/src/vlm/evaluate-vlm.test.ts), a truncated JPEG on
// evaluateMmvpVlm (packages/metrics/src/evaluate-mmvp-vlm.test.ts); here, what the command prints and exits with.
describe('mmvp eval-vlm', () => {
  it('smoke: a truncated JPEG skips only its pair, said in a warning and the summary; the files are written, exit 0; --strict exits 1 naming the file', async () => {
    const data = join(scratch, 'truncated');
    await cp(fixture, data, { recursive: true });
    const jpeg = await readFile(fileURLToPath(new URL('../../../packages/image/src/__fixtures__/pillow/inputs/photo-exif6-800x600.jpg', import.meta.url)));
    await rm(join(data, 'MMVP_VLM_Images', 'Color', '22.png'));
    await writeFile(join(data, 'MMVP_VLM_Images', 'Color', '22.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const out = join(scratch, 'truncated-out');
    const result = await runCli(['eval-vlm', '--model', model, '--data', data, '--out', out, '--batch-size', '8']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/18 pairs in 9 patterns .* model .*vision_model\.onnx \+ .*text_model\.onnx, 32px, cpu/);
    expect(result.stderr).toMatch(/mmvp: warning: pair 11 is skipped: cannot decode image .*Color\/22\.jpg/);
    expect(result.stdout).toMatch(/1 pair\(s\) skipped and left out of the scores: pair 11 \(cannot decode image .*22\.jpg/);
    const scores = JSON.parse(await readFile(join(out, 'vlm-eval-scores.json'), 'utf8'));
    expect(scores.pairs).toBe(17);
    expect(scores.skippedPairs).toEqual([{ pairId: 11, reason: expect.stringMatching(/cannot decode image .*22\.jpg/) }]);
    expect((await readFile(join(out, 'vlm-pairs.csv'), 'utf8')).split('\n').filter((line) => line.startsWith('21,22,'))).toEqual([]);
    expect(await readFile(join(out, 'vlm-scores.md'), 'utf8')).toMatch(/MMVP Average/);
    const strict = await runCli(['eval-vlm', '--model', model, '--data', data, '--out', join(scratch, 'truncated-out2'), '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^mmvp: FileFormatError: cannot decode image .*Color\/22\.jpg/m);
  });

  it('--out onto a file or under a file fails in one line naming --out before the model or data is read', async () => {
    const file = join(scratch, 'taken.txt');
    await writeFile(file, 'x');
    for (const out of [file, join(file, 'sub')]) {
      const result = await runCli(['eval-vlm', '--model', join(scratch, 'no-such-model'), '--data', join(scratch, 'no-such-data'), '--out', out]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^mmvp: InvalidArgumentError: --out .*taken\.txt/);
    }
  });

  it('--help says the images may be .jpg or .png', async () => {
    const result = await runCli(['eval-vlm', '--help']);
    expect(result.stdout).toMatch(/<id>\.jpg or \.png/);
  });
});
