import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunFolderLock } from '@mmvp/results';
import { runCli } from './helpers/run-cli';
import { expectOutFolderRefusedFirst } from './helpers/bad-out-folder';
import { questionsCsv, answersJsonl } from '../../../packages/study/src/mmvp/__fixtures__/hand-checked-answer-set';

let scratch: string;
let questionsFile: string;
let answersFile: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-grade-'));
  questionsFile = join(scratch, 'Questions.csv');
  answersFile = join(scratch, 'answers.jsonl');
  await writeFile(questionsFile, questionsCsv());
  await writeFile(answersFile, answersJsonl());
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

// What grading computes (pair and question counts, intervals, label corrections, patterns, encodings, the
// LLM judge, bad input) is checked on gradeMllmAnswers in packages/study/src/mmvp/grade-mllm.test.ts, on
// the same 300-question set; here, what the command passes on and prints.
describe('mmvp grade (rule grader)', () => {
  it('holds the lock of an existing --out: a folder another live run is writing is refused, nothing written (#31 minor)', async () => {
    const out = join(scratch, 'held');
    const lock = await acquireRunFolderLock(out, 'eval-mllm');
    try {
      const result = await runCli(['grade', '--questions', questionsFile, '--answers', answersFile, '--out', out]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`RunFolderLockedError: ${out} is in use by 'eval-mllm' \\(pid ${process.pid} `));
      await expect(stat(join(out, 'scores.json'))).rejects.toThrow();
    } finally {
      await lock.release();
    }
    const graded = await runCli(['grade', '--questions', questionsFile, '--answers', answersFile, '--out', out]); // beside eval-mllm's claim: grade claims nothing
    expect(graded.code, graded.stderr).toBe(0);
  });

  it('smoke: prints what it read and the summary with intervals, writes the files, exits 0', async () => {
    const out = join(scratch, 'rule');
    const result = await runCli(['grade', '--questions', questionsFile, '--answers', answersFile, '--out', out]);
    expect(result.stderr).toMatch(/^mmvp grade: 300 answers \(mmvp-answers-jsonl\) of 300 questions .*labels original.*grader rule/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^MMVP pair accuracy 26\.7 \[\d+\.\d, \d+\.\d\] \(40\/150 pairs\), per-question 56\.0 \[\d+\.\d, \d+\.\d\] \(168\/300\)/);
    expect(result.stdout).toContain(`wrote ${['scores.json', 'scores.csv', 'graded.csv', 'scores.md', 'run.json'].map((name) => join(out, name)).join(', ')}`);
    const scores = JSON.parse(await readFile(join(out, 'scores.json'), 'utf8'));
    expect(scores).toMatchObject({ pairs: 150, correctPairs: 40, labels: 'original', provenance: { tool: expect.stringMatching(/^mmvp \d/) } });
  });

  it('smoke: --json prints scores.json; --labels, --patterns and --allow-missing are passed on', async () => {
    const patterns = join(scratch, 'patterns.csv');
    await writeFile(patterns, ['index,pattern', ...Array.from({ length: 300 }, (_, i) => `${i + 1},${i < 100 ? 'Texts' : 'Color and Appearance'}`)].join('\n'));
    const out = join(scratch, 'corrected');
    const result = await runCli(['grade', '--questions', questionsFile, '--answers', answersFile, '--out', out, '--labels', 'corrected', '--patterns', patterns, '--allow-missing', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const scores = JSON.parse(result.stdout);
    expect([scores.correctPairs, scores.labels]).toEqual([42, 'corrected']);
    expect(scores.perPattern.map((row: { pattern: string }) => row.pattern)).toEqual(['Color and Appearance', 'Texts']);
    expect(scores).toEqual(JSON.parse(await readFile(join(out, 'scores.json'), 'utf8')));
  });
});

describe('mmvp grade: bad flags and bad input exit 1 with one clear line', () => {
  it('rejects an unknown grader or label set, listing the choices', async () => {
    const result = await runCli(['grade', '--questions', questionsFile, '--answers', answersFile, '--out', join(scratch, 'x7'), '--labels', 'fixed']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--labels 'fixed' is not valid; valid choices: 'original' or 'corrected'/);
  });

  it('an error of the library is one line naming its class, exit code 1', async () => {
    const noModel = await runCli(['grade', '--questions', questionsFile, '--answers', answersFile, '--out', join(scratch, 'llm-bad'), '--judge', 'llm']);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/^mmvp: InvalidArgumentError: --judge llm needs --judge-model \(the original study used gpt-4-0314\)\n$/);
  });
});

describe('mmvp grade: a bad --out fails first', () => {
  it('--out onto a file or under a file fails in one line naming --out before any input or model is read', async () => {
    await expectOutFolderRefusedFirst('grade', (missing, out) => ['--questions', join(missing, 'Questions.csv'), '--answers', join(missing, 'answers.jsonl'), '--out', out]);
  });
});
