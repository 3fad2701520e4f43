import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMllm } from '@mmvp/study';
import { writeSynth } from '@mmvp/synth';
import { startFaultProxy } from '../../../packages/serve/src/testing/fault-proxy';
import { cliPath, runCli } from './helpers/run-cli';

const PIPELINE = fileURLToPath(new URL('../../../models/zoo/llava-clip/pipeline.json', import.meta.url));
const KEY_ENV = 'MMVP_CLI_SERVE_KEY';
const key = `sk-cli-serve-${randomBytes(10).toString('hex')}`;
const env = { [KEY_ENV]: key };

let scratch: string;
let data: string;
let serve: ChildProcess;
let serveLog = '';
let serveUrl: string;
let reference: Map<number, string>;

async function answersOf(out: string): Promise<{ question_id: number; response: string }[]> {
  const text = await readFile(join(out, 'answers.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { question_id: number; response: string });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-serve-'));
  // the data and the in-process reference come from the library (what is under test is serve and --endpoint)
  await writeSynth({ out: join(scratch, 'synth'), seed: 5, pairsPerPattern: 1, pairs: 9, contactSheets: false });
  data = join(scratch, 'synth', 'MMVP');
  await evaluateMllm({ pipeline: PIPELINE, data, out: join(scratch, 'in-process') });
  reference = new Map((await answersOf(join(scratch, 'in-process'))).map((answer) => [answer.question_id, answer.response]));
  serve = spawn(process.execPath, [cliPath, 'serve', '--pipeline', PIPELINE, '--port', '0', '--api-key-env', KEY_ENV], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stdout!.on('data', (chunk: Buffer) => (serveLog += chunk.toString('utf8')));
  serve.stderr!.on('data', (chunk: Buffer) => (serveLog += chunk.toString('utf8')));
  serveUrl = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(serveLog);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      }
      if (serve.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`mmvp serve exited: ${serveLog}`));
      }
    }, 50);
  });
});

afterAll(async () => {
  if (serve.exitCode === null) serve.kill('SIGKILL');
  await rm(scratch, { recursive: true, force: true });
});

describe('mmvp serve + mmvp eval-mllm --endpoint (processes)', () => {
  it('a run killed mid-way resumes from the response cache: the server is asked only what had no reply, the answers equal the in-process run', async () => {
    const proxy = await startFaultProxy({ upstream: serveUrl, delayMs: 120 });
    const out = join(scratch, 'killed');
    const args = ['eval-mllm', '--endpoint', proxy.url, '--endpoint-model', 'llava-clip', '--api-key-env', KEY_ENV, '--prompt', 'lmms', '--data', data, '--out', out];
    try {
      const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let childOutput = '';
      child.stdout!.on('data', (chunk: Buffer) => (childOutput += chunk.toString('utf8')));
      child.stderr!.on('data', (chunk: Buffer) => (childOutput += chunk.toString('utf8')));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      while ((await answersOf(out)).length < 5 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(child.exitCode, 'the run was still going when killed').toBeNull();
      child.kill('SIGKILL');
      await exited;
      await new Promise((resolve) => setTimeout(resolve, 800)); // requests in flight at the kill reach the server
      const cachedAtKill = (await readFile(join(out, 'endpoint-cache.jsonl'), 'utf8')).split('\n').filter((line) => line.trim().startsWith('{"key"')).length;
      const sentBefore = [...proxy.forwardedPerQuestion.values()].reduce((sum, count) => sum + count, 0);
      expect(cachedAtKill).toBeLessThan(18);

      const resumed = await runCli([...args, '--resume'], { env });
      expect(resumed.code, resumed.stderr).toBe(0);
      const sentAfter = [...proxy.forwardedPerQuestion.values()].reduce((sum, count) => sum + count, 0);
      expect(sentAfter - sentBefore).toBe(18 - cachedAtKill);
      const answers = await answersOf(out);
      expect(answers.map((answer) => answer.question_id)).toEqual([...reference.keys()]);
      for (const answer of answers) expect(answer.response, `question ${answer.question_id}`).toBe(reference.get(answer.question_id));
      for (const text of [childOutput, resumed.stdout, resumed.stderr, serveLog]) expect(text).not.toContain(key);
      for (const name of await readdir(out)) expect(await readFile(join(out, name), 'utf8'), name).not.toContain(key);
    } finally {
      await proxy.close();
    }
  });

  it('ask --endpoint gives the answer ask --pipeline gives', async () => {
    const question = ['--image', join(data, 'MMVP Images', '3.jpg'), '--question', 'Which way does it face?', '--options', '(a) Left (b) Right', '--prompt', 'lmms', '--json'];
    const local = await runCli(['ask', '--pipeline', PIPELINE, ...question]);
    const served = await runCli(['ask', '--endpoint', serveUrl, '--endpoint-model', 'llava-clip', '--api-key-env', KEY_ENV, ...question], { env });
    expect(local.code, local.stderr).toBe(0);
    expect(served.code, served.stderr).toBe(0);
    const expected = JSON.parse(local.stdout) as { response: string; prompt: string };
    expect(JSON.parse(served.stdout)).toMatchObject({ response: expected.response, prompt: expected.prompt, outcome: 'answered' });
    expect(served.stdout + served.stderr).not.toContain(key);
  });

  it('SIGTERM finishes the request in flight, then the server exits 0', async () => {
    const image = `data:image/jpeg;base64,${(await readFile(join(data, 'MMVP Images', '1.jpg'))).toString('base64')}`;
    const pending = fetch(`${serveUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: 'llava-clip',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Is it red?' },
              { type: 'image_url', image_url: { url: image } },
            ],
          },
        ],
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const exited = new Promise<number | null>((resolve) => serve.once('exit', (code) => resolve(code)));
    serve.kill('SIGTERM');
    const response = await pending;
    expect(response.status).toBe(200);
    expect(typeof ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('string');
    expect(await exited).toBe(0);
    expect(serveLog).toMatch(/SIGTERM: finishing the requests in flight/);
    expect(serveLog).not.toContain(key);
  });
});
