import { describe, expect, it } from 'vitest';
import { readPatternMap } from './pattern-map';
import { temporaryFolder, writeTree } from './__fixtures__/test-folders';

describe('readPatternMap', () => {
  it('reads index,pattern and rejects bad rows with their line', async () => {
    const dir = await temporaryFolder('patterns');
    await writeTree(dir, { 'p.csv': 'index,pattern\n1,Texts\n2,"Color and Appearance"\n', 'bad.csv': 'index,pattern\n1,Texts\nx,Color\n1,Texts\n', 'nohead.csv': 'id,kind\n' });
    expect([...(await readPatternMap(`${dir}/p.csv`))]).toEqual([
      [1, 'Texts'],
      [2, 'Color and Appearance'],
    ]);
    await expect(readPatternMap(`${dir}/bad.csv`)).rejects.toThrowError(/bad\.csv:3: expected a positive integer index[\s\S]*bad\.csv:4: index 1 appears twice/);
    await expect(readPatternMap(`${dir}/nohead.csv`)).rejects.toThrowError(/must name the columns 'index' and 'pattern'/);
  });
});
