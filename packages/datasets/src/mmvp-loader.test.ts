import { describe, expect, it } from 'vitest';
import { DatasetError } from '@mmvp/core';
import { csvField, temporaryFolder, writeTree } from './__fixtures__/test-folders';
import type { DatasetIssue } from './dataset-issues';
import { loadMmvp } from './mmvp-loader';
import { readMmvpQuestions } from './mmvp-questions';

type Row = [string | number, string, string, string];
const header = 'Index,Question,Options,Correct Answer';
const csv = (rows: Row[], head = header) => [head, ...rows.map((row) => row.map(csvField).join(','))].join('\n') + '\n';

/** Writes an MMVP folder; `images` lists the image names to create (default k.jpg for every row). */
async function mmvpFolder(rows: Row[], options: { head?: string; images?: string[]; imageFolder?: string } = {}): Promise<string> {
  const dir = await temporaryFolder('mmvp');
  const images = options.images ?? rows.map((_, i) => `${i + 1}.jpg`);
  const folder = options.imageFolder ?? 'MMVP Images';
  await writeTree(dir, {
    'Questions.csv': csv(rows, options.head),
    ...Object.fromEntries(images.map((name) => [`${folder}/${name}`, 'not decoded by the loader'])),
  });
  return dir;
}

const butterfly: Row[] = [
  [1, "Are the butterfly's wings closer to being open or closed?", '(a) Open (b) Closed', '(a)'],
  [2, "Are the butterfly's wings closer to being open or closed?", '(a) Open (b) Closed', '(b)'],
  [3, 'Is the dog facing left, or right, from the "camera"?', '(a) Left, mostly (b) Right', '(b)'],
  [4, 'Is the dog facing left, or right, from the "camera"?', '(a) Left, mostly (b) Right', '(a)'],
];

/** 280 rows where rows 99/100 ask about tusks and 279/280 about standing/sitting, as in the release. */
function releasedLikeRows(): Row[] {
  const rows: Row[] = [];
  for (let id = 1; id <= 280; id++) {
    const pair = Math.ceil(id / 2);
    const question = pair === 50 ? "Are the elephant's tusks long or short?" : pair === 140 ? 'Is the elderly person standing or sitting in the picture?' : `Question ${pair}?`;
    rows.push([id, question, '(a) Yes (b) No', id % 2 === 1 ? '(a)' : '(b)']);
  }
  return rows;
}

describe('loadMmvp', () => {
  it('reads quoted fields, options, pairs (2i-1, 2i) and image paths; accepts the lndex header', async () => {
    const dir = await mmvpFolder(butterfly, { head: 'lndex,Question,Options,Correct Answer', images: ['1.jpg', '2.jpeg', '3.png', '4.JPG'] });
    const data = await loadMmvp(dir, { strict: true });
    expect(data.rowCount).toBe(4);
    expect(data.pairs.map((p) => p.id)).toEqual([1, 2]);
    expect(data.questions.map((q) => q.answer)).toEqual(['a', 'b', 'b', 'a']);
    const third = data.questions[2]!;
    expect(third.question).toBe('Is the dog facing left, or right, from the "camera"?');
    expect(third.options).toEqual(['Left, mostly', 'Right']);
    expect(third.pairId).toBe(2);
    expect(data.questions.map((q) => q.imagePath.split('/').pop())).toEqual(['1.jpg', '2.jpeg', '3.png', '4.JPG']);
    expect(data.issues).toEqual([]);
    expect(data.labels).toBe('original');
  });

  it('accepts the image-folder variants (MMVP_Images, the script typo MMVP Imgaes)', async () => {
    for (const folder of ['MMVP_Images', 'MMVP Imgaes', 'mmvp-images']) {
      const dir = await mmvpFolder(butterfly, { imageFolder: folder });
      expect((await loadMmvp(dir, { strict: true })).questions).toHaveLength(4);
    }
  });

  it('corrected labels swap rows 99/100 and 279/280 only; original keeps the file', async () => {
    const dir = await mmvpFolder(releasedLikeRows());
    const original = await loadMmvp(dir, { strict: true });
    const corrected = await loadMmvp(dir, { strict: true, labels: 'corrected' });
    const changed = corrected.questions.filter((q, i) => q.answer !== original.questions[i]!.answer).map((q) => q.id);
    expect(changed).toEqual([99, 100, 279, 280]);
    expect(corrected.questions[98]!.answer).toBe('b'); // row 99 was (a)
    expect(corrected.questions[98]!.originalAnswer).toBe('a');
    expect(corrected.labelCorrections.map((c) => [c.rows, c.applied])).toEqual([
      [[99, 100], true],
      [[279, 280], true],
    ]);
    expect(original.labelCorrections).toEqual([]);
  });

  it('does not swap rows of a CSV whose rows 99/100 are other questions (e.g. a synthetic set)', async () => {
    const rows = releasedLikeRows().map((row): Row => [row[0], `Other question ${Math.ceil(Number(row[0]) / 2)}?`, row[2], row[3]]);
    const corrected = await readMmvpQuestions(`${await mmvpFolder(rows)}/Questions.csv`, { labels: 'corrected', strict: true });
    expect(corrected.questions.every((q) => q.answer === q.originalAnswer)).toBe(true);
    expect(corrected.labelCorrections.every((c) => !c.applied)).toBe(true);
  });

  it('a missing column is an error naming the file, the column and the expected header', async () => {
    const dir = await mmvpFolder([[1, 'q', '(a) x (b) y', '(a)']], { head: 'Index,Question,Correct Answer' });
    await expect(loadMmvp(dir)).rejects.toThrowError(/Questions\.csv:1: the header lacks the column\(s\) 'Options'.*'Index', 'Question', 'Options', 'Correct Answer'/);
  });

  it('reports each broken row with file and line, skips only the broken pairs, and strict mode fails', async () => {
    const rows: Row[] = [
      ...butterfly,
      [5, 'Is the cup full?', '(a) Full (b) Empty', '(c)'], // unknown answer letter
      [6, 'Is the cup full?', '(a) Full (b) Empty', '(a)'],
      [7, 'Is the door open?', '(a) Open (b) Closed', '(a)'],
      [8, 'Is the window open?', '(a) Open (b) Closed', '(b)'], // pair with different questions
      [9, 'How many?', 'Two or three', '(a)'], // options not (a) X (b) Y
      [10, 'How many?', 'Two or three', '(b)'],
      [11, 'Is the light on?', '(a) On (b) Off', '(a)'],
      [12, 'Is the light on?', '(a) On (b) Off', '(b)'], // image missing
      [13, 'Odd one out?', '(a) Yes (b) No', '(a)'], // odd row count
    ];
    const images = rows.map((_, i) => `${i + 1}.jpg`).filter((name) => name !== '12.jpg');
    const dir = await mmvpFolder(rows, { images });
    const reported: DatasetIssue[] = [];
    const data = await loadMmvp(dir, { onIssue: (issue) => reported.push(issue) });
    expect(data.pairs.map((p) => p.id)).toEqual([1, 2]);
    expect(data.skippedQuestionIds).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const byLine = reported.map((issue) => [issue.line, issue.message]);
    expect(reported.every((issue) => issue.file.endsWith('Questions.csv'))).toBe(true);
    expect(byLine).toEqual(
      expect.arrayContaining([
        [6, expect.stringMatching(/row 5: Correct Answer '\(c\)' is not a valid choice; expected '\(a\)' or '\(b\)'/)],
        [9, expect.stringMatching(/rows 7 and 8 form pair 4 but ask different questions/)],
        [10, expect.stringMatching(/row 9: Options 'Two or three' is not of the form/)],
        [13, expect.stringMatching(/row 12: image .*12\.jpg.* is missing/)],
        [14, expect.stringMatching(/odd number of rows \(13\)/)],
      ]),
    );
    expect(reported).toHaveLength(6); // the five above + row 10's options
    await expect(loadMmvp(dir, { strict: true })).rejects.toThrowError(DatasetError);
    await expect(loadMmvp(dir, { strict: true })).rejects.toThrowError(/6 problem\(s\) \(strict mode\)/);
  });

  it('a missing image folder is an error listing the folders found', async () => {
    const dir = await mmvpFolder(butterfly, { imageFolder: 'pictures' });
    await expect(loadMmvp(dir)).rejects.toThrowError(/no image folder; expected 'MMVP Images\/' \(found 'pictures'\)/);
  });
});

describe('loadMmvp: a missing image and an unreadable one take one path', () => {
  it('checkImage reasons and missing files both skip their pair, listed in skippedPairs; strict fails on either', async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-loader-images-'));
    try {
      await mkdir(join(dir, 'MMVP Images'));
      const rows = ['Index,Question,Options,Correct Answer'];
      for (let id = 1; id <= 6; id++) {
        rows.push(`${id},Is thing ${Math.ceil(id / 2)} open?,(a) Open (b) Closed,(${id % 2 === 1 ? 'a' : 'b'})`);
        if (id !== 6) await writeFile(join(dir, 'MMVP Images', `${id}.png`), id === 3 ? 'not a png' : 'png');
      }
      await writeFile(join(dir, 'Questions.csv'), rows.join('\n') + '\n');
      const checkImage = async (path: string) => (path.endsWith('3.png') ? 'cannot be decoded' : undefined);
      const issues: string[] = [];
      const dataset = await loadMmvp(dir, { checkImage, onIssue: (issue) => issues.push(issue.message) });
      expect(dataset.pairs.map((pair) => pair.id)).toEqual([1]);
      expect(dataset.skippedPairs).toEqual([
        { pairId: 2, reason: 'row 3: cannot be decoded' },
        { pairId: 3, reason: 'row 6: image MMVP Images/6.jpg (or .jpeg/.png) is missing' },
      ]);
      expect(dataset.skippedQuestionIds).toEqual([3, 4, 5, 6]);
      expect(issues).toEqual(['row 3: cannot be decoded; pair 2 is skipped', 'row 6: image MMVP Images/6.jpg (or .jpeg/.png) is missing; pair 3 is skipped']);
      await expect(loadMmvp(dir, { checkImage, strict: true })).rejects.toThrow(/2 problem\(s\) \(strict mode\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
