import { spawn } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMmvp } from '@mmvp/datasets';
import { runIdentityHash, type RunIdentity } from '@mmvp/results';
import { answerMmvpQuestions as answerQuestions, type QuestionAnswerer } from '@mmvp/study';
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

describe('mmvp eval-mllm: nothing lost, nothing mixed (issue #13)', () => {
  let data: string;
  let whole: string;
  let expected: string;
  const run = (out: string, extra: string[] = [], env?: Record<string, string>) => runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', data, '--out', out, ...extra], env === undefined ? {} : { env });
  beforeAll(async () => {
    data = join(scratch, 'data-13');
    await mmvpFolder(data, 6);
    whole = join(scratch, 'run-13-whole');
    const result = await run(whole);
    expect(result.code, result.stderr).toBe(0);
    expected = await readFile(join(whole, 'answers.jsonl'), 'utf8');
    expect(expected.trim().split('\n')).toHaveLength(12);
  });

  it('#13.1 a complete last line without its newline (head -n 10 | head -c -1) is not glued to the next answer on --resume', async () => {
    const out = join(scratch, 'run-13-1');
    await mkdir(out);
    const tenLines = expected.split('\n').slice(0, 10).join('\n'); // head -n 10 answers.jsonl | head -c -1
    await writeFile(join(out, 'answers.jsonl'), tenLines);
    const resumed = await run(out, ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await readFile(join(out, 'answers.jsonl'), 'utf8')).toBe(expected);
  });

  it('#13.2 answers of other settings are refused with or without run-identity.json, naming what differs; nothing is written', async () => {
    // Without run-identity.json: the answer lines themselves carry model_id and run_identity.
    const bare = join(scratch, 'run-13-2');
    await mkdir(bare);
    const tenLines = expected.split('\n').slice(0, 10).join('\n') + '\n';
    await writeFile(join(bare, 'answers.jsonl'), tenLines);
    const otherPrompt = await run(bare, ['--resume', '--prompt', 'original']);
    expect(otherPrompt.code).toBe(1);
    expect(otherPrompt.stderr).toMatch(/--resume: .*answers\.jsonl:1 has run_identity "[0-9a-f]{16}", this run's is [0-9a-f]{16} \(promptStyle differs: 'lmms' there\)/);
    // Another decoding setting in a config of the same name: the identity differs, not the model id.
    const other = join(scratch, 'other-config');
    await mkdir(other);
    const config = JSON.parse(await readFile(tinyPipeline, 'utf8'));
    const models = join(tinyPipeline, '../../../models');
    config.encoders.clip.model = join(models, 'tiny-clip');
    config.adapters.clip.weights = join(models, 'tiny-mof/llava-mm_projector.safetensors');
    config.decoder.modelPath = join(models, 'tiny-llama');
    config.decoder.maxNewTokens = 8;
    await writeFile(join(other, 'tiny-clip.json'), JSON.stringify(config));
    const otherDecoding = await runCli(['eval-mllm', '--pipeline', join(other, 'tiny-clip.json'), '--data', data, '--out', bare, '--resume']);
    expect(otherDecoding.code).toBe(1);
    expect(otherDecoding.stderr).toMatch(/answers\.jsonl:1 has run_identity .* \(pipeline config, model files, decoding, labels or questions differ\)/);
    // Another model id.
    // Another model id: the pipeline config's `name` (not its file name, the same for every zoo model's pipeline.json).
    expect(JSON.parse(tenLines.split('\n')[0]!).model_id).toBe(JSON.parse(await readFile(tinyPipeline, 'utf8')).name);
    await writeFile(join(bare, 'answers.jsonl'), tenLines.replace(/"model_id":"[^"]*"/g, '"model_id":"llava-13b"'));
    const otherModel = await run(bare, ['--resume']);
    expect(otherModel.stderr).toMatch(/answers\.jsonl:1 was answered by model_id "llava-13b", this run is 'tiny LLaVA \(CLIP only\)'/);
    await writeFile(join(bare, 'answers.jsonl'), tenLines);
    expect(await readFile(join(bare, 'answers.jsonl'), 'utf8')).toBe(tenLines);
    await expect(stat(join(bare, 'run-identity.json'))).rejects.toThrow();
    // With run-identity.json (the whole run's folder): the differing settings are named.
    const named = await runCli(['eval-mllm', '--pipeline', join(other, 'tiny-clip.json'), '--data', data, '--out', whole, '--resume']);
    expect(named.code).toBe(1);
    expect(named.stderr).toMatch(/--resume: pipelineConfigSha256, decoding differ\(s\) from the run in .*run-identity\.json/);
    expect(await readFile(join(whole, 'answers.jsonl'), 'utf8')).toBe(expected);
  });

  it('#13.3 a second run into the same --out fails at once with the lock message; exactly one complete result remains', async () => {
    const out = join(scratch, 'run-13-3');
    // Two real processes started together, both with --resume (which without the lock would let both
    // append the same answers): one takes the lock, the other fails at once naming it.
    const [a, b] = await Promise.all([run(out, ['--resume']), run(out, ['--resume'])]);
    const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
    expect(winner.code, winner.stderr).toBe(0);
    expect(loser.code).toBe(1);
    expect(loser.stderr).toMatch(/^mmvp: RunFolderLockedError: .*run-13-3 is in use by 'eval-mllm' \(pid \d+ on .*\); two runs must not write one folder/m);
    expect(loser.stderr).not.toMatch(/questions \(.*Questions\.csv/); // it never started answering
    expect(await readFile(join(out, 'answers.jsonl'), 'utf8')).toBe(expected);
    await expect(stat(join(out, '.mmvp-lock'))).rejects.toThrow();
  });

  it('#13.8 bad inputs fail before the pipeline loads and leave answers.jsonl absent', async () => {
    const cases: [string, string[], RegExp, Record<string, string>?][] = [
      ['missing --patterns', ['--patterns', join(scratch, 'no-patterns.csv')], /cannot read the pattern map .*no-patterns\.csv/],
      ['--judge llm without its key', ['--judge', 'llm', '--judge-model', 'gpt-4-0314', '--judge-key-env', 'MMVP_TEST_UNSET_KEY'], /environment variable MMVP_TEST_UNSET_KEY .* is not set/],
      ['--judge llm without a model', ['--judge', 'llm'], /--judge llm needs --judge-model/],
      ['bad --labels', ['--labels', 'fixed'], /--labels 'fixed' is not valid; valid choices: 'original' or 'corrected'/],
    ];
    for (const [name, extra, message, env] of cases) {
      const out = join(scratch, `run-13-8-${name.replace(/\W+/g, '-')}`);
      const result = await run(out, extra, env);
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toMatch(message);
      expect(result.stderr, name).not.toMatch(/tiny Llama|visual tokens|model files/i);
      await expect(stat(join(out, 'answers.jsonl')), name).rejects.toThrow();
    }
    // A malformed patterns.csv in the data folder.
    const badData = join(scratch, 'data-13-8');
    await cp(data, badData, { recursive: true });
    await writeFile(join(badData, 'patterns.csv'), 'index,pattern\n1,Orientation\nx,\n');
    const out = join(scratch, 'run-13-8-bad-patterns');
    const result = await runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', badData, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/patterns\.csv:3: expected a positive integer index and a pattern name/);
    await expect(stat(join(out, 'answers.jsonl'))).rejects.toThrow();
  });

  it('#13.9 a truncated image skips its pair like a missing one (skippedPairs, said in the summary); --strict makes it fatal', async () => {
    const broken = join(scratch, 'data-13-9');
    await cp(data, broken, { recursive: true });
    const image3 = join(broken, 'MMVP Images', '3.png');
    await writeFile(image3, (await readFile(image3)).subarray(0, 300)); // truncated PNG: pair 2
    await rm(join(broken, 'MMVP Images', '8.png')); // missing: pair 4
    const out = join(scratch, 'run-13-9');
    const result = await runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', broken, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/2 pair\(s\) skipped \(not scored\):\n {2}skipped pair 2: row 3: image .*3\.png cannot be read \(cannot decode image/);
    expect(result.stdout).toMatch(/ {2}skipped pair 4: row 8: image MMVP Images\/8\.jpg \(or \.jpeg\/\.png\) is missing/);
    const scores = JSON.parse(await readFile(join(out, 'scores.json'), 'utf8'));
    expect(scores.skippedPairs.map((pair: { pairId: number }) => pair.pairId)).toEqual([2, 4]);
    expect(scores.pairs).toBe(4);
    // The answers of the other pairs are those of the run on the intact folder, byte for byte.
    const kept = expected.split('\n').filter((line) => line !== '' && ![3, 4, 7, 8].includes(JSON.parse(line).question_id));
    const questionsSha = (text: string) => text.replace(/"run_identity":"[0-9a-f]+"/, '');
    expect(
      (await readFile(join(out, 'answers.jsonl'), 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map(questionsSha),
    ).toEqual(kept.map(questionsSha));
    const strictOut = join(scratch, 'run-13-9-strict');
    const strict = await runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', broken, '--out', strictOut, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/2 problem\(s\) \(strict mode\)/);
    expect(strict.stderr).toMatch(/3\.png cannot be read/);
    await expect(stat(join(strictOut, 'answers.jsonl'))).rejects.toThrow();
  });

  it('#13.13 mmvp report renders an eval-mllm folder and a grade folder', async () => {
    const evalReport = await runCli(['report', whole]);
    expect(evalReport.code, evalReport.stderr).toBe(0);
    expect(evalReport.stderr).toMatch(/reading .*: run\.json, scores\.json\n/);
    const html = await readFile(join(whole, 'report.html'), 'utf8');
    const scores = JSON.parse(await readFile(join(whole, 'scores.json'), 'utf8'));
    expect(html).toContain(`MMVP pair accuracy ${scores.pairAccuracy.toFixed(1)} [${scores.pairAccuracyCi95[0].toFixed(1)}, ${scores.pairAccuracyCi95[1].toFixed(1)}]`);
    const gradeOut = join(scratch, 'grade-13-13');
    expect((await runCli(['grade', '--questions', join(data, 'Questions.csv'), '--answers', join(whole, 'answers.jsonl'), '--out', gradeOut])).code).toBe(0);
    const gradeReport = await runCli(['report', gradeOut]);
    expect(gradeReport.code, gradeReport.stderr).toBe(0);
    expect(await readFile(join(gradeOut, 'report.html'), 'utf8')).toContain(`MMVP pair accuracy ${scores.pairAccuracy.toFixed(1)} [`);
  });
});
