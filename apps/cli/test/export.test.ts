import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSynth } from '@mmvp/synth';
import { mmvp } from './helpers/run-cli';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-export-'));
  await writeSynth({ out: join(scratch, 'synth'), pairsPerPattern: 1, size: 64, contactSheets: false });
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

  // The .tsv rule, --name and a missing --data are refused by exportMmvp (packages/study/src/export/export-mmvp.test.ts).
  it('a bad flag: one line naming the flag and the valid choices', async () => {
    const result = await mmvp('export', '--to', 'csv', '--data', join(scratch, 'synth'), '--out', join(scratch, 'y'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--to 'csv' is not valid; valid choices: 'vlmevalkit' or 'hf'/);
  });
});
