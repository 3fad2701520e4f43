import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonFile } from './zod-helpers';

describe('zod helpers', () => {
  const schema = z.object({ strategy: z.enum(['clip', 'additive']), ratio: z.number().min(0).max(1) }).strict();
  it('names the file and the failing keys, with valid choices and unknown keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-zod-'));
    const file = join(dir, 'pipeline.json');
    await writeFile(file, JSON.stringify({ strategy: 'mixed', ratio: 2, extra: 1 }));
    const error = await readJsonFile(file, schema).catch((e: Error) => e);
    expect(String(error)).toContain(`${file} is invalid`);
    expect(String(error)).toContain("strategy: 'mixed' is not valid; choose 'clip', 'additive'");
    expect(String(error)).toContain('ratio:');
    expect(String(error)).toContain("unknown key(s) 'extra'");
  });
  it('reports malformed JSON with the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-zod-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, '{ "strategy": ');
    await expect(readJsonFile(file, schema)).rejects.toThrow(`${file} is not valid JSON`);
  });
});
