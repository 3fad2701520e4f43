import { spawn } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMmvp } from '@mmvp/datasets';
import { answerMmvpQuestions as answerQuestions, runIdentityHash, type QuestionAnswerer, type RunIdentity } from '@mmvp/study';
import { cliPath as cli, runCli } from './helpers/run-cli';
import { expectOutFolderRefusedFirst } from './helpers/bad-out-folder';

const pngs = fileURLToPath(new URL('../../../packages/metrics/src/__fixtures__/mmvp-vlm-tiny/MMVP_VLM_Images/', import.meta.url));
const tinyPipeline = fileURLToPath(new URL('../../../configs/pipelines/tiny-clip.json', import.meta.url));

/** An MMVP folder of `pairs` pairs whose images are small real PNGs. */
async function mmvpFolder(dir: string, pairs: number): Promise<void> {
  const sources: string[] = [];
  for (const folder of (await readdir(pngs)).sort()) for (const name of (await readdir(join(pngs, folder))).sort()) sources.push(join(pngs, folder, name));
  await mkdir(join(dir, 'MMVP Images'), { recursive: true });
  const rows = ['Index,Question,Options,Correct Answer'];
  for (let id = 1; id <= 2 * pairs; id++) {
    const pair = Math.ceil(id / 2);
    rows.push(`${id},"Is the thing in picture ${pair} facing left or right?",(a) Left (b) Right,(${id % 2 === 1 ? 'a' : 'b'})`);
    await cp(sources[(id - 1) % sources.length]!, join(dir, 'MMVP Images', `${id}.png`));
  }
  await writeFile(join(dir, 'Questions.csv'), rows.join('\n') + '\n');
}

/** A deterministic stand-in for a pipeline; `failAfter` simulates a run killed after that many answers. */
function fakeAnswerer(asked: number[], failAfter = Number.POSITIVE_INFINITY): QuestionAnswerer {
  return {
    async ask(request) {
      if (asked.length >= failAfter) throw new Error('killed');
      const id = Number(/picture (\d+)/.exec(request.question)![1]);
      asked.push(id);
      return { text: id % 3 === 0 ? 'B' : 'The answer is (a).', prompt: `${request.question} ${request.options}`, finishReason: 'stop', tokenIds: [1, 2, 3] };
    },
  };
}

/** Settings of the fake runs (what run_identity hashes). */
const fakeIdentity: RunIdentity = { pipelineConfigSha256: 'p', modelFilesSha256: 'm', promptStyle: 'original', decoding: '{}', labels: 'original', questionsSha256: 'q', modelId: 'fake' };

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-eval-mllm-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('answerQuestions (the resume logic of eval-mllm, with a fake pipeline)', () => {
  it('a run killed mid-way (even mid-line) and resumed gives the same file as an uninterrupted run', async () => {
    const data = join(scratch, 'data-fake');
    await mmvpFolder(data, 10);
    const dataset = await loadMmvp(data);
    const common = { questions: dataset.questions, dataDir: data, promptStyle: 'original' as const, identity: fakeIdentity };

    const whole = join(scratch, 'whole.jsonl');
    await answerQuestions({ ...common, answerer: fakeAnswerer([]), answersFile: whole, resume: false });

    const interrupted = join(scratch, 'interrupted.jsonl');
    await expect(answerQuestions({ ...common, answerer: fakeAnswerer([], 7), answersFile: interrupted, resume: false })).rejects.toThrow('killed');
    await appendFile(interrupted, '{"question_id": 8, "prompt": "Is the th'); // the line in flight when killed
    const asked: number[] = [];
    const resumed = await answerQuestions({ ...common, answerer: fakeAnswerer(asked), answersFile: interrupted, resume: true });
    expect(resumed).toEqual({ asked: 13, skipped: 7 });
    expect(asked).toHaveLength(13); // only what was missing, the cut line included
    expect(await readFile(interrupted, 'utf8')).toBe(await readFile(whole, 'utf8'));
    const first = JSON.parse((await readFile(whole, 'utf8')).split('\n')[0]!);
    expect(Object.keys(first)).toEqual(['question_id', 'prompt', 'answer', 'response', 'answer_id', 'model_id', 'prompt_style', 'image', 'finish_reason', 'generated_tokens', 'run_identity']);
    expect(first.run_identity).toBe(runIdentityHash(fakeIdentity));
  });

  it('never overwrites answers without --resume, and refuses answers of another benchmark', async () => {
    const data = join(scratch, 'data-fake2');
    await mmvpFolder(data, 2);
    const dataset = await loadMmvp(data);
    const file = join(scratch, 'existing.jsonl');
    const content = `${JSON.stringify({ question_id: 1, prompt: 'p', answer: '(a)', response: 'A' })}\n`;
    await writeFile(file, content);
    const common = { questions: dataset.questions, dataDir: data, promptStyle: 'original' as const, identity: fakeIdentity, answerer: fakeAnswerer([]), answersFile: file };
    await expect(answerQuestions({ ...common, resume: false })).rejects.toThrow(/already has answers; pass --resume/);
    expect(await readFile(file, 'utf8')).toBe(content);
    await writeFile(file, `${JSON.stringify({ question_id: 99, response: 'A' })}\n`);
    await expect(answerQuestions({ ...common, resume: true })).rejects.toThrow(/existing\.jsonl:1: question_id 99 is not a question of this benchmark/);
  });
});

describe('mmvp eval-mllm on the tiny pipeline', () => {
  it('a run killed with SIGKILL and resumed gives the same answers.jsonl as an uninterrupted run, then grades', async () => {
    const data = join(scratch, 'data');
    await mmvpFolder(data, 12);
    const run = (out: string, extra: string[] = []) => runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', data, '--out', out, '--json', ...extra]);
    const whole = join(scratch, 'run-whole');
    const uninterrupted = await run(whole);
    expect(uninterrupted.stderr).toMatch(/24 questions .*prompt style lmms/);
    expect(uninterrupted.code).toBe(0);
    const expected = await readFile(join(whole, 'answers.jsonl'), 'utf8');
    expect(expected.trim().split('\n')).toHaveLength(24);

    // Start again in another folder and kill the process once some answers are on disk.
    const killed = join(scratch, 'run-killed');
    const child = spawn(process.execPath, [cli, 'eval-mllm', '--pipeline', tinyPipeline, '--data', data, '--out', killed], { stdio: 'ignore' });
    let exited = false;
    const exit = new Promise((resolve) => child.on('exit', () => resolve((exited = true))));
    const answersFile = join(killed, 'answers.jsonl');
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const text = await readFile(answersFile, 'utf8').catch(() => '');
      if (text.split('\n').length > 6) break;
      expect(exited, 'the run ended before it could be killed').toBe(false);
    }
    child.kill('SIGKILL');
    await exit;
    const partial = (await readFile(answersFile, 'utf8')).split('\n').length - 1;
    expect(partial).toBeLessThan(24);

    const refused = await run(killed);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already has answers; pass --resume/);
    const resumed = await run(killed, ['--resume']);
    expect(resumed.code).toBe(0);
    expect(await readFile(answersFile, 'utf8')).toBe(expected);
    const scores = JSON.parse(resumed.stdout);
    expect(scores.questions).toBe(24);
    expect(scores.provenance.promptStyle).toBe('lmms');
    expect(scores.provenance.modelFiles.some((file: { path: string; sha256: string }) => file.path.endsWith('decoder_model_merged.onnx') && /^[0-9a-f]{64}$/.test(file.sha256))).toBe(true);
    expect(scores.provenance.decoding).toMatchObject({ temperature: 0, maxNewTokens: 16 });
    expect(JSON.parse(uninterrupted.stdout).correctPairs).toBe(scores.correctPairs);

    const otherPrompt = await run(killed, ['--resume', '--prompt', 'original']);
    expect(otherPrompt.code).toBe(1);
    expect(otherPrompt.stderr).toMatch(/--resume: promptStyle differ\(s\) from the run/);
  });
});

describe('mmvp eval-mllm: a bad --out fails first', () => {
  it('--out onto a file or under a file fails in one line naming --out before any input or model is read', async () => {
    await expectOutFolderRefusedFirst('eval-mllm', (missing, out) => ['--pipeline', join(missing, 'pipeline.json'), '--data', missing, '--out', out]);
  });
});
