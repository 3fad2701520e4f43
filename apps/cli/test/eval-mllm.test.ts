import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyMmvpFolder as mmvpFolder } from '@mmvp/study/testing';
import { runCli } from './helpers/run-cli';
import { expectOutFolderRefusedFirst } from './helpers/bad-out-folder';

// What eval-mllm does (resume, refusals of other settings, skipped pairs, bad inputs of the data folder) is
// checked on evaluateMllm in packages/study/src/mmvp/evaluate-mllm.test.ts, kill and resume of the process in
// kill-resume.property.test.ts; here, what the command parses, prints and exits with.
const tinyPipeline = fileURLToPath(new URL('../../../configs/pipelines/tiny-clip.json', import.meta.url));

let scratch: string;
let data: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-eval-mllm-'));
  data = join(scratch, 'data');
  await mmvpFolder(data, 4);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('mmvp eval-mllm on the tiny pipeline', () => {
  it('smoke: prints what it resolved and the summary with its skipped pairs, writes the results folder, exits 0; --json prints scores.json', async () => {
    const broken = join(scratch, 'data-missing-image');
    await cp(data, broken, { recursive: true });
    await rm(join(broken, 'MMVP Images', '8.png')); // missing: pair 4
    const out = join(scratch, 'run');
    const result = await runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', broken, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/6 questions .*prompt style lmms.*1 pair\(s\) skipped/);
    expect(result.stdout).toMatch(/1 pair\(s\) skipped \(not scored\):\n {2}skipped pair 4: row 8: image MMVP Images\/8\.jpg \(or \.jpeg\/\.png\) is missing/);
    for (const name of ['answers.jsonl', 'run-identity.json', 'scores.json', 'scores.csv', 'graded.csv', 'scores.md', 'run.json']) await stat(join(out, name));
    expect((await readFile(join(out, 'answers.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(6);

    const json = await runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', broken, '--out', out, '--resume', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(await readFile(join(out, 'scores.json'), 'utf8')));
  });

  it('a bad flag fails in one line naming it and the valid choices, before the pipeline loads; no answers.jsonl', async () => {
    const out = join(scratch, 'bad-labels');
    const result = await runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', data, '--out', out, '--labels', 'fixed']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--labels 'fixed' is not valid; valid choices: 'original' or 'corrected'/);
    await expect(stat(join(out, 'answers.jsonl'))).rejects.toThrow();
  });
});

describe('mmvp eval-mllm: a bad --out fails first', () => {
  it('--out onto a file or under a file fails in one line naming --out before any input or model is read', async () => {
    await expectOutFolderRefusedFirst('eval-mllm', (missing, out) => ['--pipeline', join(missing, 'pipeline.json'), '--data', missing, '--out', out]);
  });
});
