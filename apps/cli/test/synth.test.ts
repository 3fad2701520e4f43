import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireRunFolderLock } from '@mmvp/results';
import { runCli } from './helpers/run-cli';

const root = mkdtempSync(join(tmpdir(), 'mmvp-cli-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `mmvp ARGS...` in a child process the test awaits (a synchronous spawn would block vitest's worker RPC). */
async function mmvp(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const result = await runCli(args);
  return { status: result.code, stdout: result.stdout, stderr: result.stderr };
}

describe('mmvp synth', () => {
  // The layouts themselves (15 pairs per pattern, --pairs 150, the train split, --force) are checked on
  // writeSynth in packages/synth/src/write-synth-layouts.test.ts; here, what the command prints and passes on.
  it('smoke: prints what it writes, and passes --seed, --size, --pairs-per-pattern and --image-format on', async () => {
    const out = join(root, 'eval');
    const result = await mmvp('synth', '--out', out, '--seed', '7', '--pairs-per-pattern', '1', '--size', '64', '--no-contact-sheets');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/split eval, seed 7, 64x64 JPEG \(4:4:4, quality 95\), 1 pairs per pattern x 9 patterns = 9 pairs/);
    expect(result.stdout).toMatch(/wrote 9 pairs \(18 images/);
    expect(
      readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(19);
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images')).every((name) => name.endsWith('.jpg'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8'))).toMatchObject({ seed: 7, size: 64 });

    const pairs = await mmvp('synth', '--out', join(root, 'pairs'), '--pairs', '10', '--pairs-per-pattern', '1', '--size', '64', '--image-format', 'png', '--no-contact-sheets');
    expect(pairs.status, pairs.stderr).toBe(0);
    expect(pairs.stderr).toMatch(/64x64 PNG, 10 MMVP pairs \(2\/1\/1\/1\/1\/1\/1\/1\/1 per pattern\), MMVP-VLM 1 per pattern/);
    const images = readdirSync(join(root, 'pairs', 'MMVP', 'MMVP Images'));
    expect(images).toHaveLength(20);
    expect(images.every((name) => name.endsWith('.png'))).toBe(true);
  });

  it('smoke: --split train --count with --json prints the summary as one document', async () => {
    const out = join(root, 'train');
    const result = await mmvp('synth', '--out', out, '--split', 'train', '--count', '9', '--size', '64', '--json', '--no-contact-sheets');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ split: 'train', pairs: 9, images: 18, size: 64 });
    expect(
      readFileSync(join(out, 'train', 'train.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(18);
  });

  // The number flags' ranges are checked once on parseFlagValue (apps/cli/src/flags/flag-table.test.ts) and
  // writeSynth's own option checks in packages/synth/src/write-synth.test.ts; here, the command's own rules.
  it('rejects bad options with one clear line and exit code 1, creating nothing', async () => {
    const out = join(root, 'bad');
    const split = await mmvp('synth', '--out', out, '--split', 'test');
    expect(split.status).toBe(1);
    expect(split.stderr).toMatch(/^mmvp: InvalidArgumentError: --split 'test' is not valid; valid choices: 'eval' or 'train'\n$/);
    const count = await mmvp('synth', '--out', out, '--count', '5');
    expect(count.status).toBe(1);
    expect(count.stderr).toMatch(/--count applies to --split train/);
    const format = await mmvp('synth', '--out', out, '--image-format', 'gif');
    expect(format.status).toBe(1);
    expect(format.stderr).toMatch(/--image-format 'gif' is not valid; valid choices: 'jpeg' or 'png'/);
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

  it('holds the run folder lock: a folder another live run holds is refused at once, naming it', async () => {
    const out = join(root, 'locked');
    const other = await acquireRunFolderLock(out, 'synth');
    try {
      const second = await mmvp('synth', '--out', out, '--pairs-per-pattern', '1', '--force');
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`RunFolderLockedError: .*locked is in use by 'synth' \\(pid ${process.pid} on `));
    } finally {
      await other.release();
    }
  });
});
