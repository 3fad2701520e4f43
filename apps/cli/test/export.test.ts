import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmvp } from './helpers/run-cli';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-export-'));
  const made = await mmvp('synth', '--out', join(scratch, 'synth'), '--pairs-per-pattern', '1', '--size', '64', '--no-contact-sheets');
  expect(made.code, made.stderr).toBe(0);
}, 60_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('mmvp export', () => {
  it('writes both targets from a synth folder and prints the harness commands', async () => {
    const tsv = await mmvp('export', '--to', 'vlmevalkit', '--data', join(scratch, 'synth'), '--out', join(scratch, 'MMVPSynth.tsv'), '--json');
    expect(tsv.code, tsv.stderr).toBe(0);
    const result = JSON.parse(tsv.stdout);
    expect(result).toMatchObject({ target: 'vlmevalkit', name: 'MMVPSynth', rows: 18, labels: 'original' });
    expect((await readFile(join(scratch, 'MMVPSynth.tsv'), 'utf8')).trim().split('\n')).toHaveLength(19);
    const hf = await mmvp('export', '--to', 'hf', '--data', join(scratch, 'synth'), '--out', join(scratch, 'hf'));
    expect(hf.code, hf.stderr).toBe(0);
    expect(hf.stdout).toContain("load_dataset('imagefolder'");
    expect(hf.stdout).toContain('--tasks hf');
  }, 30_000);

  it('bad input: one line naming the flag and the valid choices', async () => {
    for (const [args, message] of [
      [['--to', 'csv', '--data', join(scratch, 'synth'), '--out', join(scratch, 'y')], /--to 'csv' is not valid; valid choices: 'vlmevalkit' or 'hf'/],
      [['--to', 'hf', '--labels', 'fixed', '--data', join(scratch, 'synth'), '--out', join(scratch, 'y')], /--labels 'fixed' is not valid; valid choices: 'original' or 'corrected'/],
      [['--to', 'vlmevalkit', '--data', join(scratch, 'synth'), '--out', join(scratch, 'y.csv')], /ending in \.tsv/],
      [['--to', 'hf', '--data', join(scratch, 'missing'), '--out', join(scratch, 'z')], /cannot be read/],
      [['--to', 'hf', '--name', 'my set', '--data', join(scratch, 'synth'), '--out', join(scratch, 'z')], /^mmvp: InvalidArgumentError: --name "my set" is not valid: use letters, digits, _ \. - only$/m],
    ] as const) {
      const result = await mmvp('export', ...args);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  }, 30_000);
});
