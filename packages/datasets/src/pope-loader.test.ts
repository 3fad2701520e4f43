import { describe, expect, it } from 'vitest';
import { temporaryFolder, writeTree } from './__fixtures__/test-folders';
import type { DatasetIssue } from './dataset-issues';
import { loadPope } from './pope-loader';

describe('loadPope', () => {
  it('reads question lines and reports bad lines, repeated ids and missing images with their line', async () => {
    const dir = await temporaryFolder('pope');
    const lines = [
      { question_id: 1, image: 'a.jpg', text: 'Is there a dog in the image?', label: 'yes', category: 'random' },
      { question_id: 2, image: 'a.jpg', text: 'Is there a cat in the image?', label: 'No' },
      { question_id: 3, image: 'b.jpg', text: 'Is there a car in the image?', label: 'maybe' },
      { question_id: 2, image: 'a.jpg', text: 'again', label: 'no' },
      { question_id: 5, image: 'missing.jpg', text: 'Is there a bus in the image?', label: 'no' },
    ];
    await writeTree(dir, {
      'questions.jsonl': lines.map((line) => JSON.stringify(line)).join('\n') + '\n{"question_id": 6,\n',
      'images/a.jpg': 'x',
      'images/b.jpg': 'x',
    });
    const issues: DatasetIssue[] = [];
    const data = await loadPope(`${dir}/questions.jsonl`, `${dir}/images`, { onIssue: (issue) => issues.push(issue) });
    expect(data.questions.map((q) => [q.questionId, q.label, q.category])).toEqual([
      ['1', 'yes', 'random'],
      ['2', 'no', undefined],
    ]);
    expect(issues.map((issue) => issue.line)).toEqual([6, 3, 4, 5]);
    expect(issues[1]!.message).toMatch(/label: .*'maybe' is not valid; choose 'yes', 'no'/);
    expect(issues[2]!.message).toMatch(/question_id 2 repeats line 2/);
    expect(issues[3]!.message).toMatch(/missing\.jpg is missing/);
    await expect(loadPope(`${dir}/questions.jsonl`, `${dir}/images`, { strict: true })).rejects.toThrowError(/4 problem/);
  });
});
