import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnswers } from './answers-file';
import { readMmvpQuestions } from './mmvp-questions';
import { decodeText } from './text-file';

const csv = 'Index,Question,Options,Correct Answer\n1,Is the café open?,(a) Yes (b) No,(a)\n2,Is the café open?,(a) Yes (b) No,(b)\n';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-text-file-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('decodeText: every loader reads CSV/JSONL through it', () => {
  it('drops a UTF-8 BOM and decodes UTF-16 LE/BE with a BOM to the same text', () => {
    expect(decodeText(Buffer.from(`\uFEFF${csv}`, 'utf8'), 'x')).toEqual({ text: csv, encoding: 'utf-8-bom' });
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]), 'x')).toEqual({ text: csv, encoding: 'utf-16le-bom' });
    const be = Buffer.from(csv, 'utf16le').swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'x')).toEqual({ text: csv, encoding: 'utf-16be-bom' });
  });

  it('fails on Latin-1 bytes naming the file, offset, line and "save it as UTF-8"', () => {
    const latin1 = Buffer.from(csv, 'latin1'); // é is the single byte 0xE9 here
    const offset = latin1.indexOf(0xe9);
    expect(() => decodeText(latin1, 'Q.csv')).toThrow(`Q.csv is not valid UTF-8: byte 0xE9 at offset ${offset}, line 2 (read as Latin-1 it would be 'é': the file looks like Latin-1/Windows-1252); save it as UTF-8`);
  });

  it('Questions.csv in UTF-16 reads like UTF-8; in Latin-1 it fails instead of giving mojibake (m4)', async () => {
    const utf16 = join(scratch, 'utf16.csv');
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]));
    expect((await readMmvpQuestions(utf16)).questions.map((q) => q.question)).toEqual(['Is the café open?', 'Is the café open?']);
    const latin1 = join(scratch, 'latin1.csv');
    await writeFile(latin1, Buffer.from(csv, 'latin1'));
    await expect(readMmvpQuestions(latin1)).rejects.toThrow(/latin1\.csv is not valid UTF-8.*save it as UTF-8/);
  });

  it('Questions.csv in UTF-16 without a BOM fails naming the file and "save it as UTF-8", instead of printing NULs', async () => {
    const little = join(scratch, 'bomless-le.csv');
    await writeFile(little, Buffer.from(csv, 'utf16le'));
    const head = Buffer.from(csv, 'utf16le').subarray(0, 256);
    const nuls = head.filter((byte) => byte === 0).length;
    await expect(readMmvpQuestions(little)).rejects.toThrow(`${little} looks like UTF-16 little-endian without a byte-order mark (${nuls} of its first ${head.length} bytes are NUL); save it as UTF-8`);
    const big = join(scratch, 'bomless-be.csv');
    await writeFile(big, Buffer.from(csv, 'utf16le').swap16());
    await expect(readMmvpQuestions(big)).rejects.toThrow(/bomless-be\.csv looks like UTF-16 big-endian without a byte-order mark/);
    // one stray NUL in a UTF-8 file is not taken for UTF-16
    expect(decodeText(Buffer.from(`${csv}\0`, 'utf8'), 'x').encoding).toBe('utf-8');
  });

  it('answers.jsonl with a UTF-8 BOM reads (m6: it used to fail with an invisible character)', async () => {
    const file = join(scratch, 'answers.jsonl');
    await writeFile(file, `\uFEFF${JSON.stringify({ question_id: 1, response: 'A' })}\n`);
    expect((await readAnswers(file)).answers.map((a) => [a.questionId, a.response])).toEqual([[1, 'A']]);
  });
});
