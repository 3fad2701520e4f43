import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMmvpQuestions } from '@mmvp/datasets';
import { QUESTION_STYLES, formatQuestion, type QuestionStyle } from '@mmvp/decoder';

/**
 * Issue 29, item 5, from the file on: the prompts eval-mllm builds from a Questions.csv (read by
 * @mmvp/datasets, put in a style by @mmvp/decoder) equal what the peers' own functions built from the
 * same CSV (packages/decoder/src/__fixtures__/peer-prompts.json, made by tools/make_interop_fixtures.py
 * `prompts`: tsb0601/MMVP evaluate_mllm.py:59 `row['Question'] + " " + row['Options']` on the fields
 * as read, lmms-eval's mmvp_doc_to_text (tasks/mmvp/utils.py:93-123), Cambrian's process()
 * (mmvp_eval.py:36-45)). The CSV has a row with spaces around Question and Options, which the
 * original keeps and the loader used to trim.
 */
const fixture = JSON.parse(readFileSync(new URL('../../../decoder/src/__fixtures__/peer-prompts.json', import.meta.url), 'utf8')) as {
  csv: string;
  cases: ({ index: number } & Record<QuestionStyle, string>)[];
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-peer-prompts-'));
  await writeFile(join(scratch, 'Questions.csv'), fixture.csv);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('prompts from a Questions.csv with option strings synth never makes', () => {
  it('every row is read, and each style gives the peer prompt byte for byte', async () => {
    const set = await readMmvpQuestions(join(scratch, 'Questions.csv'));
    expect(set.questions.map((q) => q.id)).toEqual(fixture.cases.map((c) => c.index));
    for (const style of QUESTION_STYLES) {
      const ours = set.questions.map((q) => formatQuestion(q.question, q.optionsText, style));
      expect(ours, style).toEqual(fixture.cases.map((c) => c[style]));
    }
  });
});
