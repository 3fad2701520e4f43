import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
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

  it('honours --out', async () => {
    const output = join(scratch, 'elsewhere.html');
    const result = await mmvp('report', fixture, '--out', output);
    expect(result.code).toBe(0);
    expect(await readFile(output, 'utf8')).toContain('<!DOCTYPE html>');
  });

  it('fails with one clear line on a bad folder or file', async () => {
    const missing = await mmvp('report', join(scratch, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mmvp: DatasetError: results folder .*nope does not exist\n$/);
    const folder = join(scratch, 'bad');
    await cp(fixture, folder, { recursive: true });
    await writeFile(join(folder, 'sweep.json'), '{"proxy": {"name": "p", "description": "d"}, "points": []}');
    const bad = await mmvp('report', folder);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/sweep\.json is invalid: points: Array must contain at least 1 element/);
  });
});
