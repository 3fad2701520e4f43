import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPeerAnswers } from './peer-answers';

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mmvp-peer-'));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('readPeerAnswers', () => {
  it("reads lmms-eval's samples JSONL by doc.Index (as its mmvp task pairs), else doc_id + 1", async () => {
    // the fields lmms-eval's --log_samples writes per document (images are dropped from doc)
    const path = await file(
      'samples_mmvp.jsonl',
      [
        { doc_id: 0, doc: { Index: 1, Question: 'q', Options: '(a) x (b) y', 'Correct Answer': '(a)' }, target: 'A', arguments: [], resps: [['A']], filtered_resps: ['A'] },
        { doc_id: 1, doc: { Index: 2 }, target: 'B', resps: [['The answer is B.']], filtered_resps: ['The answer is B.'] },
        { doc_id: 4, doc: {}, resps: [['A.']], filtered_resps: [['A.']] },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    const result = await readPeerAnswers(path);
    expect(result?.format).toBe('lmms-eval-samples');
    expect(result?.answers.map((a) => [a.questionId, a.response])).toEqual([
      [1, 'A'],
      [2, 'The answer is B.'],
      [5, 'A.'],
    ]);
  });

  it("reads the older lmms-eval JSON with a 'logs' array", async () => {
    const path = await file('mmvp.json', JSON.stringify({ logs: [{ doc_id: 0, doc: { index: 3 }, resps: [['B']] }] }));
    expect((await readPeerAnswers(path))?.answers.map((a) => [a.questionId, a.response])).toEqual([[3, 'B']]);
  });

  it("reads VLMEvalKit's prediction TSV as pandas writes it (QUOTE_ALL, tabs and quotes inside fields)", async () => {
    const rows = [
      ['index', 'question', 'A', 'B', 'answer', 'category', 'prediction'],
      ['1', 'Is the "dog"\tleft?', 'Left', 'Right', 'A', 'Orientation', 'A'],
      ['2', 'Is it open?', 'Open', 'Closed', 'B', 'State', 'B. Closed\nbecause...'],
    ];
    const path = await file('llava_MMVPSynth.tsv', `${rows.map((row) => row.map((f) => `"${f.replace(/"/g, '""')}"`).join('\t')).join('\n')}\n`);
    const result = await readPeerAnswers(path);
    expect(result?.format).toBe('vlmevalkit-predictions');
    expect(result?.answers.map((a) => [a.questionId, a.response])).toEqual([
      [1, 'A'],
      [2, 'B. Closed\nbecause...'],
    ]);
    expect(result?.answers[0]?.fields.question).toBe('Is the "dog"\tleft?');
  });

  it('leaves an answers.jsonl of the original fields to the answers reader, and refuses what it cannot read', async () => {
    expect(await readPeerAnswers(await file('answers.jsonl', '{"question_id": 1, "response": "A"}\n'))).toBeUndefined();
    await expect(readPeerAnswers(await file('x.xlsx', 'PK'))).rejects.toThrow(/not an .xlsx file/);
    await expect(readPeerAnswers(await file('x.tsv', 'index\tanswer\n1\tA\n'))).rejects.toThrow(/a VLMEvalKit prediction table needs the columns 'index' and 'prediction'; found 'index', 'answer'/);
    await expect(readPeerAnswers(await file('s.jsonl', '{"doc_id": 0, "resps": [["A"]]}\n{"doc_id": 0, "resps": [["B"]]}\n'))).rejects.toThrow(/answers a question twice: question 1 at lines 1 and 2/);
  });
});

describe("VLMEvalKit's default .xlsx predictions", () => {
  const fixtures = new URL('./__fixtures__/', import.meta.url);
  it('reads every cell as openpyxl reads it back (tools/make_peer_fixtures.py)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { readXlsxTable } = await import('./xlsx-table');
    const expected = JSON.parse(await readFile(new URL('vlmevalkit-predictions.expected.json', fixtures), 'utf8')) as string[][];
    const table = readXlsxTable(await readFile(new URL('vlmevalkit-predictions.xlsx', fixtures)), 'fixture.xlsx');
    expect(table).toEqual(expected);
  });

  it('gives the answers by index, and names a truncated file', async () => {
    const path = new URL('vlmevalkit-predictions.xlsx', fixtures).pathname;
    const result = await readPeerAnswers(path);
    expect(result?.format).toBe('vlmevalkit-predictions');
    expect(result?.answers.map((a) => [a.questionId, a.response])).toEqual([
      [1, 'A'],
      [2, 'The answer is (b) Right.'],
      [3, "Yes & it's <bright>\nsecond line"],
      [4, 'Nein — no. ✓'],
      [5, '4'],
    ]);
    const { readFile } = await import('node:fs/promises');
    const truncated = await file('cut.xlsx', (await readFile(path)).subarray(0, 3000));
    await expect(readPeerAnswers(truncated)).rejects.toThrow(/cut\.xlsx is not an \.xlsx file \(no zip directory found; is it truncated\?\)/);
  });
});
