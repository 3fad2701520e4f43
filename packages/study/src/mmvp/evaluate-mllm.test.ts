import { appendFile, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyMmvpFolder as mmvpFolder } from './mmvp-test-folder';
import { loadMmvp } from '@mmvp/datasets';
import { runIdentityHash, type RunIdentity } from '@mmvp/results';
import { answerMmvpQuestions, evaluateMllm, type EvaluateMllmOptions, type QuestionAnswerer } from './evaluate-mllm';

// The behaviour of eval-mllm (resume, refusals, skipped pairs, bad inputs), on the workflow function; the
// CLI's tests (apps/cli/test/eval-mllm.test.ts) keep a smoke test and its flag and --out checks.
const tinyPipeline = fileURLToPath(new URL('../../../../configs/pipelines/tiny-clip.json', import.meta.url));

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
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-eval-mllm-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('answerMmvpQuestions (the resume logic of eval-mllm, with a fake answerer)', () => {
  it('a run killed mid-way (even mid-line) and resumed gives the same file as an uninterrupted run', async () => {
    const data = join(scratch, 'data-fake');
    await mmvpFolder(data, 10);
    const dataset = await loadMmvp(data);
    const common = { questions: dataset.questions, dataDir: data, promptStyle: 'original' as const, identity: fakeIdentity };

    const whole = join(scratch, 'whole.jsonl');
    await answerMmvpQuestions({ ...common, answerer: fakeAnswerer([]), answersFile: whole, resume: false });

    const interrupted = join(scratch, 'interrupted.jsonl');
    await expect(answerMmvpQuestions({ ...common, answerer: fakeAnswerer([], 7), answersFile: interrupted, resume: false })).rejects.toThrow('killed');
    await appendFile(interrupted, '{"question_id": 8, "prompt": "Is the th'); // the line in flight when killed
    const asked: number[] = [];
    const resumed = await answerMmvpQuestions({ ...common, answerer: fakeAnswerer(asked), answersFile: interrupted, resume: true });
    expect(resumed).toEqual({ asked: 13, skipped: 7 });
    expect(asked).toHaveLength(13); // only what was missing, the cut line included
    expect(await readFile(interrupted, 'utf8')).toBe(await readFile(whole, 'utf8'));
    const first = JSON.parse((await readFile(whole, 'utf8')).split('\n')[0]!);
    expect(Object.keys(first)).toEqual(['question_id', 'prompt', 'answer', 'response', 'answer_id', 'model_id', 'prompt_style', 'image', 'finish_reason', 'generated_tokens', 'run_identity']);
    expect(first.run_identity).toBe(runIdentityHash(fakeIdentity));
  });

  it('never overwrites answers without resume, and refuses answers of another benchmark', async () => {
    const data = join(scratch, 'data-fake2');
    await mmvpFolder(data, 2);
    const dataset = await loadMmvp(data);
    const file = join(scratch, 'existing.jsonl');
    const content = `${JSON.stringify({ question_id: 1, prompt: 'p', answer: '(a)', response: 'A' })}\n`;
    await writeFile(file, content);
    const common = { questions: dataset.questions, dataDir: data, promptStyle: 'original' as const, identity: fakeIdentity, answerer: fakeAnswerer([]), answersFile: file };
    await expect(answerMmvpQuestions({ ...common, resume: false })).rejects.toThrow(/already has answers; pass --resume/);
    expect(await readFile(file, 'utf8')).toBe(content);
    await writeFile(file, `${JSON.stringify({ question_id: 99, response: 'A' })}\n`);
    await expect(answerMmvpQuestions({ ...common, resume: true })).rejects.toThrow(/existing\.jsonl:1: question_id 99 is not a question of this benchmark/);
  });
});

describe('evaluateMllm on the tiny pipeline: nothing lost, nothing mixed (issue #13)', () => {
  let data: string;
  let whole: string;
  let expected: string;
  /** The progress event kinds a run emitted (a 'resolved' event means the pipeline was loaded). */
  const run = (out: string, extra: Partial<EvaluateMllmOptions> = {}, kinds: string[] = []) => evaluateMllm({ pipeline: tinyPipeline, data, out, ...extra, onEvent: (event) => kinds.push(event.type) });
  beforeAll(async () => {
    data = join(scratch, 'data-13');
    await mmvpFolder(data, 6);
    whole = join(scratch, 'run-13-whole');
    await run(whole);
    expected = await readFile(join(whole, 'answers.jsonl'), 'utf8');
    expect(expected.trim().split('\n')).toHaveLength(12);
  }, 120_000);

  it('#13.1 a cut run is refused without resume; resumed, a last line without its newline is not glued to the next answer, and the file equals the whole run', async () => {
    const out = join(scratch, 'run-13-1');
    await mkdir(out);
    const tenLines = expected.split('\n').slice(0, 10).join('\n'); // head -n 10 answers.jsonl | head -c -1
    await writeFile(join(out, 'answers.jsonl'), tenLines);
    await expect(run(out)).rejects.toThrow(/already has answers; pass --resume/);
    expect(await readFile(join(out, 'answers.jsonl'), 'utf8')).toBe(tenLines);
    const resumed = await run(out, { resume: true });
    expect(resumed.asked).toBe(2);
    expect(await readFile(join(out, 'answers.jsonl'), 'utf8')).toBe(expected);
    const scores = JSON.parse(await readFile(join(out, 'scores.json'), 'utf8'));
    expect(scores.questions).toBe(12);
    expect(scores.provenance.promptStyle).toBe('lmms');
    expect(scores.provenance.modelFiles.some((file: { path: string; sha256: string }) => file.path.endsWith('decoder_model_merged.onnx') && /^[0-9a-f]{64}$/.test(file.sha256))).toBe(true);
    expect(scores.provenance.decoding).toMatchObject({ temperature: 0, maxNewTokens: 16 });
    expect(JSON.parse(await readFile(join(whole, 'scores.json'), 'utf8')).correctPairs).toBe(scores.correctPairs);
    // now with run-identity.json: another prompt style is named
    await expect(run(out, { resume: true, promptStyle: 'original' })).rejects.toThrow(/--resume: promptStyle differ\(s\) from the run/);
  });

  it('#13.2 answers of other settings are refused with or without run-identity.json, naming what differs; nothing is written', async () => {
    // Without run-identity.json: the answer lines themselves carry model_id and run_identity.
    const bare = join(scratch, 'run-13-2');
    await mkdir(bare);
    const tenLines = expected.split('\n').slice(0, 10).join('\n') + '\n';
    await writeFile(join(bare, 'answers.jsonl'), tenLines);
    await expect(run(bare, { resume: true, promptStyle: 'original' })).rejects.toThrow(/--resume: .*answers\.jsonl:1 has run_identity "[0-9a-f]{16}", this run's is [0-9a-f]{16} \(promptStyle differs: 'lmms' there\)/);
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
    await expect(run(bare, { pipeline: join(other, 'tiny-clip.json'), resume: true })).rejects.toThrow(/answers\.jsonl:1 has run_identity .* \(pipeline config, model files, decoding, labels or questions differ\)/);
    // Another model id: the pipeline config's `name` (not its file name, the same for every zoo model's pipeline.json).
    expect(JSON.parse(tenLines.split('\n')[0]!).model_id).toBe(JSON.parse(await readFile(tinyPipeline, 'utf8')).name);
    await writeFile(join(bare, 'answers.jsonl'), tenLines.replace(/"model_id":"[^"]*"/g, '"model_id":"llava-13b"'));
    await expect(run(bare, { resume: true })).rejects.toThrow(/answers\.jsonl:1 was answered by model_id "llava-13b", this run is 'tiny LLaVA \(CLIP only\)'/);
    await expect(stat(join(bare, 'run-identity.json'))).rejects.toThrow();
    // With run-identity.json (the whole run's folder): the differing settings are named.
    await expect(run(whole, { pipeline: join(other, 'tiny-clip.json'), resume: true })).rejects.toThrow(/--resume: pipelineConfigSha256, decoding differ\(s\) from the run in .*run-identity\.json/);
    expect(await readFile(join(whole, 'answers.jsonl'), 'utf8')).toBe(expected);
  });

  it('#13.8 bad inputs fail before the pipeline loads and leave answers.jsonl absent', async () => {
    const cases: [string, Partial<EvaluateMllmOptions>, RegExp][] = [
      ['missing patterns file', { patternsFile: join(scratch, 'no-patterns.csv') }, /cannot read the pattern map .*no-patterns\.csv/],
      ['llm judge without its key', { grader: 'llm', judgeModel: 'gpt-4-0314', judgeKeyEnv: 'MMVP_TEST_UNSET_KEY' }, /environment variable MMVP_TEST_UNSET_KEY .* is not set/],
      ['llm judge without a model', { grader: 'llm' }, /--judge llm needs --judge-model/],
    ];
    for (const [name, extra, message] of cases) {
      const out = join(scratch, `run-13-8-${name.replace(/\W+/g, '-')}`);
      const kinds: string[] = [];
      await expect(run(out, extra, kinds), name).rejects.toThrow(message);
      expect(kinds, name).not.toContain('resolved'); // the pipeline was never loaded
      await expect(stat(join(out, 'answers.jsonl')), name).rejects.toThrow();
    }
    // A malformed patterns.csv in the data folder.
    const badData = join(scratch, 'data-13-8');
    await cp(data, badData, { recursive: true });
    await writeFile(join(badData, 'patterns.csv'), 'index,pattern\n1,Orientation\nx,\n');
    const out = join(scratch, 'run-13-8-bad-patterns');
    await expect(evaluateMllm({ pipeline: tinyPipeline, data: badData, out })).rejects.toThrow(/patterns\.csv:3: expected a positive integer index and a pattern name/);
    await expect(stat(join(out, 'answers.jsonl'))).rejects.toThrow();
    // A missing config and data folder: no out folder is created at all (QA m21).
    const never = join(scratch, 'run-13-8-no-config');
    await expect(evaluateMllm({ pipeline: join(scratch, 'no-such-config.json'), data: join(scratch, 'no-such-data'), out: never })).rejects.toThrow(/no-such/);
    await expect(stat(never)).rejects.toThrow();
  });

  it('#13.9 a truncated image skips its pair like a missing one (skippedPairs); strict makes it fatal', async () => {
    const broken = join(scratch, 'data-13-9');
    await cp(data, broken, { recursive: true });
    const image3 = join(broken, 'MMVP Images', '3.png');
    await writeFile(image3, (await readFile(image3)).subarray(0, 300)); // truncated PNG: pair 2
    await rm(join(broken, 'MMVP Images', '8.png')); // missing: pair 4
    const out = join(scratch, 'run-13-9');
    const result = await evaluateMllm({ pipeline: tinyPipeline, data: broken, out });
    expect(result.skippedPairs.map((pair) => pair.pairId)).toEqual([2, 4]);
    expect(result.skippedPairs[0]!.reason).toMatch(/row 3: image .*3\.png cannot be read \(cannot decode image/);
    expect(result.skippedPairs[1]!.reason).toMatch(/row 8: image MMVP Images\/8\.jpg \(or \.jpeg\/\.png\) is missing/);
    const scores = JSON.parse(await readFile(join(out, 'scores.json'), 'utf8'));
    expect(scores.skippedPairs.map((pair: { pairId: number }) => pair.pairId)).toEqual([2, 4]);
    expect(scores.pairs).toBe(4);
    // The answers of the other pairs are those of the run on the intact folder, byte for byte.
    const kept = expected.split('\n').filter((line) => line !== '' && ![3, 4, 7, 8].includes(JSON.parse(line).question_id));
    const withoutIdentity = (text: string) => text.replace(/"run_identity":"[0-9a-f]+"/, '');
    expect(
      (await readFile(join(out, 'answers.jsonl'), 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map(withoutIdentity),
    ).toEqual(kept.map(withoutIdentity));
    const strictOut = join(scratch, 'run-13-9-strict');
    await expect(evaluateMllm({ pipeline: tinyPipeline, data: broken, out: strictOut, strict: true })).rejects.toThrow(/2 problem\(s\) \(strict mode\)[\s\S]*3\.png cannot be read/);
    await expect(stat(join(strictOut, 'answers.jsonl'))).rejects.toThrow();
  });
});
