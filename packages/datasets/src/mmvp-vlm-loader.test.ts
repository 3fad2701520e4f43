import { describe, expect, it } from 'vitest';
import { csvField, temporaryFolder, writeTree } from './__fixtures__/test-folders';
import type { DatasetIssue } from './dataset-issues';
import { loadMmvpVlm } from './mmvp-vlm-loader';
import { MMVP_PATTERNS } from './patterns';

/** Writes an MMVP-VLM folder with `pairsPerType` pairs per type, ids 1.. running globally. */
async function vlmFolder(types: string[], pairsPerType: number, options: { imageFolder?: string; folderOf?: (type: string) => string; extension?: string; skipImages?: number[] } = {}) {
  const dir = await temporaryFolder('vlm');
  const rows: string[] = ['Question ID,Type,Statement'];
  const files: Record<string, string> = {};
  let id = 0;
  for (const type of types) {
    for (let pair = 0; pair < pairsPerType; pair++) {
      for (const side of ['left', 'right']) {
        id++;
        rows.push([id, type, `the thing, seen from the ${side}`].map(csvField).join(','));
        if (!options.skipImages?.includes(id)) files[`${options.imageFolder ?? 'MMVP_VLM_Images'}/${(options.folderOf ?? ((t) => t))(type)}/${id}${options.extension ?? '.jpg'}`] = 'x';
      }
    }
  }
  await writeTree(dir, { 'Questions.csv': rows.join('\r\n') + '\r\n', ...files });
  return dir;
}

const releasedFolders = ['Orientation', 'Presence', 'State', 'Quantity', 'Spatial', 'Color', 'Structural_Character', 'Text', 'Camera_Perspective'];

describe('loadMmvpVlm', () => {
  it('maps the release folder names to the nine patterns in the benchmark order', async () => {
    const dir = await vlmFolder(releasedFolders, 2, { extension: '.png' });
    const data = await loadMmvpVlm(dir, { strict: true });
    expect(data.patterns).toEqual([...MMVP_PATTERNS]);
    expect(data.pairs).toHaveLength(18);
    expect(Object.values(data.pairsPerPattern)).toEqual(Array(9).fill(2));
    const last = data.pairs[17]!;
    expect(last.pattern).toBe('Viewpoint and Perspective');
    expect(last.type).toBe('Camera_Perspective');
    expect(last.statements.map((s) => s.id)).toEqual([35, 36]);
    expect(last.statements[0].statement).toBe('the thing, seen from the left');
    expect(last.statements[1].imagePath.endsWith('MMVP_VLM_Images/Camera_Perspective/36.png')).toBe(true);
  });

  it('tolerates spaces vs underscores in folder names (image folder and type folders)', async () => {
    const dir = await vlmFolder(['Color and Appearance', 'Texts'], 1, { imageFolder: 'MLLM_VLM Images', folderOf: (type) => type.replace(/ /g, '_') });
    const data = await loadMmvpVlm(dir, { strict: true });
    expect(data.pairs.map((p) => p.pattern)).toEqual(['Color and Appearance', 'Texts']);
  });

  it('uses the released positional rule (pair p -> pattern floor(p/15)) for 135 pairs with unknown type names', async () => {
    const types = Array.from({ length: 9 }, (_, i) => `group${i}`);
    const data = await loadMmvpVlm(await vlmFolder(types, 15), { strict: true });
    expect(data.pairs[14]!.pattern).toBe(MMVP_PATTERNS[0]);
    expect(data.pairs[15]!.pattern).toBe(MMVP_PATTERNS[1]);
    expect(data.pairs[134]!.pattern).toBe(MMVP_PATTERNS[8]);
  });

  it('keeps unknown type names as patterns for other pair counts (synthetic sets)', async () => {
    const data = await loadMmvpVlm(await vlmFolder(['Widgets', 'Orientation'], 3), { strict: true });
    expect(data.patterns).toEqual(['Orientation and Direction', 'Widgets']);
    expect(data.pairsPerPattern).toEqual({ Widgets: 3, 'Orientation and Direction': 3 });
  });

  it('reports a missing image with file and line and skips only that pair', async () => {
    const dir = await vlmFolder(['Orientation', 'Color'], 2, { skipImages: [6] });
    const issues: DatasetIssue[] = [];
    const data = await loadMmvpVlm(dir, { onIssue: (issue) => issues.push(issue) });
    expect(data.pairs.map((p) => p.position)).toEqual([0, 1, 3]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(7);
    expect(issues[0]!.message).toMatch(/Color\/6\.jpg.*is missing; pair 3 is skipped/);
    await expect(loadMmvpVlm(dir, { strict: true })).rejects.toThrowError(/1 problem/);
  });

  it('reports an odd row count and a row without three fields', async () => {
    const dir = await temporaryFolder('vlm-bad');
    await writeTree(dir, {
      'Questions.csv': 'id,type,statement\n1,Color,a red car\n2,Color\n3,Color,a blue car\n',
      'MMVP_VLM_Images/Color/1.jpg': 'x',
      'MMVP_VLM_Images/Color/2.jpg': 'x',
      'MMVP_VLM_Images/Color/3.jpg': 'x',
    });
    const issues: DatasetIssue[] = [];
    const data = await loadMmvpVlm(dir, { onIssue: (issue) => issues.push(issue) });
    expect(data.pairs).toEqual([]);
    expect(issues.map((i) => i.line)).toEqual([4, 3]);
    expect(issues[0]!.message).toMatch(/odd number of rows \(3\)/);
    expect(issues[1]!.message).toMatch(/has 2 field\(s\); MMVP-VLM rows have 3/);
  });
});
