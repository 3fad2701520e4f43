import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'mmvp-cli-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `mmvp ARGS...` in a child process the test awaits (a synchronous spawn would block vitest's worker RPC). */
async function mmvp(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const result = await runCli(args);
  return { status: result.code, stdout: result.stdout, stderr: result.stderr };
}

// The real MMVP-VLM: 9 patterns x 15 pairs, ids 1..270, Orientation/ 1-30 ... Camera_Perspective/ 241-270.
const REAL_VLM_ORDER = ['Orientation', 'Presence', 'State', 'Quantity', 'Spatial', 'Color', 'Structural_Character', 'Text', 'Camera_Perspective'];

describe('mmvp synth', () => {
  it('writes the real benchmarks layouts with 15 pairs per pattern', async () => {
    const out = join(root, 'eval');
    const result = await mmvp('synth', '--out', out, '--seed', '7', '--no-contact-sheets');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/split eval, seed 7, 224x224 JPEG \(4:4:4, quality 95\), 15 pairs per pattern x 9 patterns = 135 pairs/);
    expect(result.stdout).toMatch(/wrote 135 pairs \(270 images/);
    const questions = readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(questions[0]).toBe('Index,Question,Options,Correct Answer');
    expect(questions).toHaveLength(271);
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images'))).toHaveLength(270);
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images')).every((name) => name.endsWith('.jpg'))).toBe(true);
    const vlm = readFileSync(join(out, 'MMVP_VLM', 'Questions.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    expect(vlm).toHaveLength(270);
    REAL_VLM_ORDER.forEach((type, p) => {
      const ids = readdirSync(join(out, 'MMVP_VLM', 'MLLM_VLM Images', type))
        .map((f) => Number.parseInt(f, 10))
        .sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: 30 }, (_, k) => 30 * p + k + 1));
      expect(vlm.slice(30 * p, 30 * p + 30).every((row) => row.split(',')[1] === type)).toBe(true);
    });
  });

  it('--pairs 150 gives the official 300 questions and images; --image-format png writes lossless files', async () => {
    const out = join(root, 'official');
    const result = await mmvp('synth', '--out', out, '--pairs', '150', '--size', '64', '--image-format', 'png', '--no-contact-sheets');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/64x64 PNG, 150 MMVP pairs \(17\/17\/17\/17\/17\/17\/16\/16\/16 per pattern\), MMVP-VLM 15 per pattern/);
    expect(
      readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(301);
    const images = readdirSync(join(out, 'MMVP', 'MMVP Images'));
    expect(images).toHaveLength(300);
    expect(images.every((name) => name.endsWith('.png'))).toBe(true);
    expect(
      readFileSync(join(out, 'MMVP_VLM', 'Questions.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(271);
    const bad = await mmvp('synth', '--out', join(root, 'bad-format'), '--image-format', 'gif');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--image-format 'gif' is not valid; valid choices: 'jpeg' or 'png'/);
  });

  it('writes the train split with --count pairs', async () => {
    const out = join(root, 'train');
    const result = await mmvp('synth', '--out', out, '--split', 'train', '--count', '9', '--size', '336', '--json');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ split: 'train', pairs: 9, images: 18, size: 336 });
    const lines = readFileSync(join(out, 'train', 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(18);
    expect(lines[0]).toMatchObject({ width: 336, height: 336, pair_id: 1, side: 0, pattern: 'Orientation and Direction' });
    expect(readdirSync(join(out, 'contact-sheets'))).toHaveLength(9);
  });

  it('rejects bad options with one clear line and exit code 1', async () => {
    const out = join(root, 'bad');
    const split = await mmvp('synth', '--out', out, '--split', 'test');
    expect(split.status).toBe(1);
    expect(split.stderr).toMatch(/--split 'test' is not valid; valid choices: 'eval' or 'train'/);
    const count = await mmvp('synth', '--out', out, '--count', '5');
    expect(count.status).toBe(1);
    expect(count.stderr).toMatch(/--count applies to --split train/);
    const size = await mmvp('synth', '--out', out, '--size', 'big');
    expect(size.status).toBe(1);
    expect(size.stderr).toMatch(/--size must be an integer from 64 to 1024, got 'big'/);
    const small = await mmvp('synth', '--out', out, '--size', '8');
    expect(small.status).toBe(1);
    expect(small.stderr).toMatch(/--size must be an integer from 64 to 1024, got '8'/);
  });

  it('checks counts before printing anything: the error names the flag and its range, on one line', async () => {
    const out = join(root, 'counts');
    for (const [flag, value, range] of [
      ['--pairs-per-pattern', '0', '1 to 100000'],
      ['--pairs-per-pattern', '-1', '1 to 100000'],
      ['--pairs-per-pattern', 'abc', '1 to 100000'],
      ['--seed', '-3', '0 to 9007199254740991'],
    ] as const) {
      const result = await mmvp('synth', '--out', out, flag, value);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(`mmvp: InvalidArgumentError: ${flag} must be an integer from ${range}, got '${value}'\n`);
    }
    const train = await mmvp('synth', '--out', out, '--split', 'train', '--count', '0');
    expect(train.status).toBe(1);
    expect(train.stderr).toBe("mmvp: InvalidArgumentError: --count must be an integer from 1 to 10000000, got '0'\n");
    expect(() => readdirSync(out)).toThrow(); // nothing was created
  });

  it('refuses an --out that is a file (or lies under one) with one line, and leaves the file alone', async () => {
    const file = join(root, 'notes.txt');
    writeFileSync(file, 'my notes\n');
    const onto = await mmvp('synth', '--out', file, '--pairs-per-pattern', '1');
    expect(onto.status).toBe(1);
    expect(onto.stderr).toBe(`mmvp: InvalidArgumentError: --out ${file} is a file; give a folder path (it is created if missing)\n`);
    const under = await mmvp('synth', '--out', join(file, 'sub'), '--pairs-per-pattern', '1');
    expect(under.status).toBe(1);
    expect(under.stderr).toMatch(/^mmvp: InvalidArgumentError: --out .*notes.txt\/sub: cannot create the folder: a part of that path is a file, not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('my notes\n');
  });

  it('refuses to write into a non-empty output folder without --force', async () => {
    const out = join(root, 'twice');
    expect((await mmvp('synth', '--out', out, '--pairs-per-pattern', '1', '--no-contact-sheets')).status).toBe(0);
    const again = await mmvp('synth', '--out', out, '--pairs-per-pattern', '1');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists and is not empty/);
    expect((await mmvp('synth', '--out', out, '--pairs-per-pattern', '1', '--force')).status).toBe(0);
  });

  it('--force over a larger set leaves exactly the new set: no old extra images, no old contact sheets of the split (#13.7)', async () => {
    const out = join(root, 'shrink');
    expect((await mmvp('synth', '--out', out, '--split', 'train', '--count', '9', '--size', '64')).status).toBe(0);
    expect((await mmvp('synth', '--out', out, '--pairs-per-pattern', '3', '--size', '64')).status).toBe(0);
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images'))).toHaveLength(54);
    const sheetsBefore = readdirSync(join(out, 'contact-sheets'));
    expect(sheetsBefore.filter((name) => name.startsWith('eval-'))).toHaveLength(9);
    const again = await mmvp('synth', '--out', out, '--pairs-per-pattern', '1', '--size', '64', '--force', '--no-contact-sheets');
    expect(again.status, again.stderr).toBe(0);
    // independent of the writer: what a reader finds on disk against what the 1-pair set must be
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images')).sort()).toEqual(Array.from({ length: 18 }, (_, k) => `${k + 1}.jpg`).sort());
    expect(
      readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(19);
    for (const type of REAL_VLM_ORDER) expect(readdirSync(join(out, 'MMVP_VLM', 'MLLM_VLM Images', type))).toHaveLength(2);
    expect(readFileSync(join(out, 'ground-truth.jsonl'), 'utf8').trim().split('\n')).toHaveLength(9);
    const sheetsAfter = readdirSync(join(out, 'contact-sheets'));
    expect(sheetsAfter.filter((name) => name.startsWith('eval-'))).toEqual([]); // the old eval sheets are gone
    expect(sheetsAfter).toEqual(sheetsBefore.filter((name) => name.startsWith('train-'))); // the train split's stay
    expect(readdirSync(join(out, 'train', 'images'))).toHaveLength(18);
    expect(readdirSync(out).sort()).toEqual(['MMVP', 'MMVP_VLM', 'contact-sheets', 'ground-truth.jsonl', 'synth.json', 'train']);
  });

  it('a second synth into the same --out fails at once, naming the first', async () => {
    const out = join(root, 'locked');
    const first = spawn(process.execPath, [cli, 'synth', '--out', out, '--pairs-per-pattern', '200', '--size', '64', '--no-contact-sheets'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise((resolve) => first.once('exit', resolve));
    let stderr = '';
    await new Promise<void>((resolve) => {
      first.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/ \d+\/1800 pairs/.test(stderr)) {
          first.kill('SIGSTOP'); // mid-run, holding the folder
          resolve();
        }
      });
      void exited.then(() => resolve());
    });
    try {
      expect(first.exitCode, stderr).toBeNull();
      const second = await mmvp('synth', '--out', out, '--pairs-per-pattern', '1', '--force');
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`RunFolderLockedError: .*locked is in use by 'synth' \\(pid ${first.pid} on `));
    } finally {
      first.kill('SIGKILL');
      await exited;
    }
  }, 60_000);
});
