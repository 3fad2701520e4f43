import { mkdtemp, readFile, rm, symlink, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmvp } from './helpers/run-cli';

const fixture = fileURLToPath(new URL('../../../packages/report/src/__fixtures__/results/', import.meta.url));

describe('mmvp report', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-report-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes DIR/report.html with the plots and says what it read', async () => {
    const folder = join(scratch, 'results');
    await cp(fixture, folder, { recursive: true });
    const result = await mmvp('report', folder);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(join(folder, 'report.html'));
    expect(result.stderr).toContain('run.json, vlm-scores.json, mllm-scores.json, sweep.json, blind-pairs.csv, answers.jsonl');
    const html = await readFile(join(folder, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(5);
  });

  it('--out never replaces a results file without --force, never writes through a link, and names a bad path in one line (#31 minor)', async () => {
    const folder = join(scratch, 'keep');
    await cp(fixture, folder, { recursive: true });
    const answers = await readFile(join(folder, 'answers.jsonl'), 'utf8');
    const kept = await mmvp('report', folder, '--out', join(folder, 'answers.jsonl'));
    expect(kept.code).toBe(1);
    expect(kept.stderr).toBe(`mmvp: InvalidArgumentError: --out ${join(folder, 'answers.jsonl')} exists and is not an .html report; it is kept: choose another path, or pass --force to replace it\n`);
    expect(await readFile(join(folder, 'answers.jsonl'), 'utf8')).toBe(answers);
    const victim = join(scratch, 'victim.txt');
    await writeFile(victim, 'keep me\n');
    await symlink(victim, join(folder, 'report.html'));
    const linked = await mmvp('report', folder);
    expect(linked.code).toBe(1);
    expect(linked.stderr).toMatch(/^mmvp: InvalidArgumentError: --out .*report\.html is a symbolic link; mmvp writes no report through a link/);
    expect(await readFile(victim, 'utf8')).toBe('keep me\n');
    for (const [out, message] of [
      [join(scratch, 'no', 'such', 'folder', 'r.html'), null], // parents are created
      [scratch, /^mmvp: InvalidArgumentError: --out .* is a folder; give a file path such as .*report\.html\n$/],
      [join(victim, 'r.html'), /^mmvp: InvalidArgumentError: --out .*: cannot create the folder .*a part of that path is a file, not a folder\n$/],
    ] as const) {
      const result = await mmvp('report', fixture, '--out', out);
      if (message === null) {
        expect(result.code, result.stderr).toBe(0);
        expect(await readFile(out, 'utf8')).toContain('<!DOCTYPE html>');
      } else expect(result.stderr).toMatch(message);
    }
  });

  // A malformed results file is named on readResults (packages/results/src/read-results.test.ts); here, the exit.
  it('fails with one clear line on a missing folder', async () => {
    const missing = await mmvp('report', join(scratch, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mmvp: DatasetError: results folder .*nope does not exist\n$/);
  });
});
