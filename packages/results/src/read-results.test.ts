import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from './read-results';

describe('readResults on a folder with only foreign files', () => {
  it('says which files are there but not in a form the report reads, instead of calling them missing (#31 minor)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-report-foreign-'));
    await writeFile(join(folder, 'pairs.csv'), 'left,right,score\na.png,b.png,0.5\n');
    await expect(readResults(folder)).rejects.toThrow(/has none of the result files; expected one or more of .*; present but not a form the report reads: pairs\.csv \(not mmvp mine's pairs\.csv\)$/);
  });
});
