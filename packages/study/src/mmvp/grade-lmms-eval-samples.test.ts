import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportMmvp } from '../export/export-mmvp';
import { gradeMllmAnswers } from './grade-mllm';
import type { GradeEvent } from './mmvp-events';

/**
 * Issue 29, item 1 (and the grade half of item 2), reproduced with lmms-eval's own code. The fixture
 * folder __fixtures__/lmms-eval-missing-pair/ was made by tools/make_interop_fixtures.py:
 * - Questions.csv: 150 pairs; this test writes images for every row but 5, so `mmvp export --to hf`
 *   skips pair 3 and writes rows Index 1-4, 7-300 (the report's case);
 * - samples_mmvp_local*.jsonl: that export's metadata.jsonl (its sha256 is in expected.json and is
 *   checked below) run through lmms-eval's mmvp task functions (lmms_eval/tasks/mmvp/utils.py at
 *   75571cf: mmvp_doc_to_text :93-123, mmvp_doc_to_target :136-147, mmvp_process_results :150-184)
 *   and written by its own EvaluationTracker.save_results_samples
 *   (lmms_eval/loggers/evaluation_tracker.py:240-300, which pops `doc` at :286). Records are exactly
 *   `doc_id, target, filtered_resps, token_counts, doc_hash, mmvp_accuracy, mmvp_pair_accuracy, input`;
 * - expected.json: what lmms-eval's mmvp_aggregate_results (:187-206) and
 *   mmvp_aggregate_pair_results (:209-256) returned for each file.
 * `_by_name` lists the documents in file-name order (images/1, 10, 100, ...), the order some
 * `datasets` versions give an imagefolder; `_v0.6` is the same run through utils.py of 34465550
 * (lmms-eval v0.6/v0.6.1, whose GROUND_TRUTH_CORRECTIONS forced Index 100 and 280 to A).
 */
const fixtures = new URL('./__fixtures__/lmms-eval-missing-pair/', import.meta.url);
interface LmmsRun {
  readonly file: string;
  readonly mmvp_accuracy: number;
  readonly mmvp_pair_accuracy: number;
  readonly records: number;
  readonly correct: number;
}
let expected: { metadataSha256: string; runs: LmmsRun[] };
let scratch: string;
let questions: string;

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  expected = JSON.parse(await readFile(new URL('expected.json', fixtures), 'utf8'));
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-lmms-samples-'));
  const data = join(scratch, 'data');
  await mkdir(join(data, 'MMVP Images'), { recursive: true });
  questions = join(data, 'Questions.csv');
  await copyFile(new URL('Questions.csv', fixtures), questions);
  for (let id = 1; id <= 300; id++) if (id !== 5) await writeFile(join(data, 'MMVP Images', `${id}.png`), PNG);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function grade(file: string, out: string, allowMissing = true) {
  const warnings: string[] = [];
  const scores = await gradeMllmAnswers({
    questionsFile: questions,
    answersFile: file,
    out: join(scratch, out),
    allowMissing,
    onEvent: (event: GradeEvent) => {
      if (event.type === 'warning') warnings.push(event.message);
    },
  });
  return { scores, warnings };
}

describe("mmvp grade on lmms-eval's samples file of an export with a missing pair", () => {
  it('is the file lmms-eval read: the export of that folder has the metadata.jsonl the fixtures were made from', async () => {
    const out = join(scratch, 'hf');
    const result = await exportMmvp({ data: join(scratch, 'data'), to: 'hf', out, name: 'mmvp_local' });
    expect(result.rows).toBe(298);
    expect(
      createHash('sha256')
        .update(await readFile(join(out, 'metadata.jsonl')))
        .digest('hex'),
    ).toBe(expected.metadataSha256);
  });

  it('records have the keys lmms-eval writes (no doc), and doc_id + 1 is not the question after the gap', async () => {
    const lines = (await readFile(new URL('samples_mmvp_local.jsonl', fixtures), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(Object.keys(lines[0])).toEqual(['doc_id', 'target', 'filtered_resps', 'token_counts', 'doc_hash', 'mmvp_accuracy', 'mmvp_pair_accuracy', 'input']);
    expect([lines[4].doc_id, lines[4].mmvp_accuracy.index]).toEqual([4, 6]); // Index 7
  });

  for (const name of ['samples_mmvp_local.jsonl', 'samples_mmvp_local_by_name.jsonl']) {
    it(`${name}: pairs by mmvp_accuracy.index and scores what lmms-eval scored`, async () => {
      const run = expected.runs.find((r) => r.file === name)!;
      const { scores, warnings } = await grade(fileURLPath(name), name);
      expect(scores.inputs['answers']).toMatchObject({ format: 'lmms-eval-samples', pairedBy: 'mmvp_accuracy.index + 1' });
      expect(scores.questions).toBe(run.records);
      expect(scores.correctQuestions).toBe(run.correct);
      expect(scores.questionAccuracy).toBeCloseTo(100 * run.mmvp_accuracy, 10);
      expect(scores.pairs).toBe(149);
      expect(scores.pairAccuracy).toBeCloseTo(100 * run.mmvp_pair_accuracy, 10);
      expect(warnings.join('\n')).toMatch(/no answer for question\(s\) 5, 6; their pairs are left out/);
    });
  }

  it('without --allow-missing names questions 5 and 6 as unanswered (not 299 and 300)', async () => {
    await expect(grade(fileURLPath('samples_mmvp_local.jsonl'), 'strict', false)).rejects.toThrow(/has no answer for 2 question\(s\) of .*Questions\.csv: 5, 6;/);
  });

  it('fails, naming the rows, when a record asks another question than the row its index pairs it with', async () => {
    // the same records without mmvp_accuracy: paired by doc_id + 1, which the gap shifts from Index 7 on
    const lines = (await readFile(new URL('samples_mmvp_local.jsonl', fixtures), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const shifted = join(scratch, 'samples_no_index.jsonl');
    await writeFile(shifted, `${lines.map(({ mmvp_accuracy: _a, mmvp_pair_accuracy: _p, ...rest }) => JSON.stringify(rest)).join('\n')}\n`);
    await expect(grade(shifted, 'shifted')).rejects.toThrow(
      /answer\(s\) of .*samples_no_index\.jsonl were asked another question.*\n {2}.*samples_no_index\.jsonl:5: paired with question 5 by doc_id \+ 1, but it asked "Is the dog in the front or at the back\?/,
    );
    // one record whose index was edited: the input still asks its own question
    const edited = join(scratch, 'samples_edited.jsonl');
    lines[0].mmvp_accuracy.index = 2; // Index 3, "Is the dog standing or lying down?"
    lines[2].mmvp_accuracy.index = 0;
    await writeFile(edited, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    await expect(grade(edited, 'edited')).rejects.toThrow(/samples_edited\.jsonl:1: paired with question 3 by mmvp_accuracy\.index \+ 1, but it asked "Is the dog facing left or right\?/);
  });

  it('warns on a file of lmms-eval v0.6/v0.6.1 (gold of Index 100 and 280 forced to A) and scores it against Questions.csv', async () => {
    const current = expected.runs.find((r) => r.file === 'samples_mmvp_local.jsonl')!;
    const old = expected.runs.find((r) => r.file === 'samples_mmvp_local_v0.6.jsonl')!;
    expect(old.correct).not.toBe(current.correct); // the override changed lmms-eval's own score on this set
    const { scores, warnings } = await grade(fileURLPath('samples_mmvp_local_v0.6.jsonl'), 'v06');
    expect(warnings.join('\n')).toMatch(/written by lmms-eval v0\.6 or v0\.6\.1 .*line 98 \(Index 100: B -> A\), line 278 \(Index 280: B -> A\)/);
    expect(scores.correctQuestions).toBe(current.correct);
    expect(scores.pairAccuracy).toBeCloseTo(100 * current.mmvp_pair_accuracy, 10);
    const { warnings: currentWarnings } = await grade(fileURLPath('samples_mmvp_local.jsonl'), 'current-again');
    expect(currentWarnings.join('\n')).not.toMatch(/v0\.6/);
  });
});

function fileURLPath(name: string): string {
  return new URL(name, fixtures).pathname;
}
