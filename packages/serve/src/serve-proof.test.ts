import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateMllm } from '@mmvp/study';
import { writeSynth } from '@mmvp/synth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './serve-pipeline';
import { SERVED_PIPELINE, folderText, readJsonLines, startKeyedServer, type KeyedServer } from './testing/keyed-server';
import { startFaultProxy, type Fault } from './testing/fault-proxy';

const PIPELINE = SERVED_PIPELINE;
const KEY_ENV = 'MMVP_SERVE_PROOF_KEY';

let scratch: string;
let data: string;
let served: KeyedServer;
let server: RunningServer;
/** The API key the server wants (random per run). */
let key: string;
/** In-process answers (`evaluateMllm({ pipeline })`), the reference: question_id -> response. */
let reference: Map<number, string>;

function answersOf(out: string): Promise<{ question_id: number; response: string }[]> {
  return readJsonLines(join(out, 'answers.jsonl'));
}

function endpointRun(url: string, out: string, extra: { resume?: boolean; timeoutMs?: number } = {}) {
  return evaluateMllm({
    endpoint: { url, model: server.modelId, apiKeyEnv: KEY_ENV, maxConcurrency: 4, timeoutMs: extra.timeoutMs ?? 60_000, maxRetries: 4 },
    promptStyle: 'lmms', // the config's style, so the endpoint is asked what the pipeline is asked in-process
    data,
    out,
    resume: extra.resume === true,
  });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-serve-proof-'));
  await writeSynth({ out: join(scratch, 'synth'), seed: 3, pairsPerPattern: 1, pairs: 6, contactSheets: false });
  data = join(scratch, 'synth', 'MMVP');
  const inProcess = await evaluateMllm({ pipeline: PIPELINE, data, out: join(scratch, 'in-process') });
  expect(inProcess.asked).toBe(12);
  reference = new Map((await answersOf(join(scratch, 'in-process'))).map((answer) => [answer.question_id, answer.response]));
  served = await startKeyedServer(PIPELINE, KEY_ENV);
  ({ server, key } = served);
});

afterAll(async () => {
  await served?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('mmvp serve + eval-mllm --endpoint', () => {
  it('answers every question as the in-process pipeline does (greedy), each asked once, in question order', async () => {
    const proxy = await startFaultProxy({ upstream: server.url });
    try {
      const out = join(scratch, 'served');
      const run = await endpointRun(proxy.url, out);
      const answers = await answersOf(out);
      expect(answers.map((answer) => answer.question_id)).toEqual([...reference.keys()]);
      for (const answer of answers) expect(answer.response, `question ${answer.question_id}`).toBe(reference.get(answer.question_id));
      expect(run.asked).toBe(12);
      expect([...proxy.forwardedPerQuestion.values()]).toEqual(new Array(12).fill(1));
      const usage = JSON.parse(await readFile(join(out, 'endpoint-usage.json'), 'utf8')) as { totals: { requestsSent: number; promptTokens: number; answers: number } };
      expect(usage.totals.requestsSent).toBe(12);
      expect(usage.totals.promptTokens).toBeGreaterThan(0);
      expect(await folderText(out)).not.toContain(key);
    } finally {
      await proxy.close();
    }
  });

  it('through 429 (Retry-After), 500, a dropped connection, a slow reply past the timeout and cut JSON: the same answers, none lost or duplicated; a 401 stops the run and --resume finishes it from the cache', async () => {
    const faults = new Map<number, Fault>([
      [1, 'rate-limit'],
      [2, 'server-error'],
      [3, 'drop-connection'],
      [4, 'slow'],
      [6, 'truncated-json'],
      [14, 'unauthorized'],
    ]);
    const proxy = await startFaultProxy({ upstream: server.url, faults, slowMs: 2500 });
    try {
      const out = join(scratch, 'faults');
      const first = await endpointRun(proxy.url, out, { timeoutMs: 1500 }).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(first?.message).toMatch(/HTTP 401/);
      expect(first?.message).not.toContain(key);
      const kept = await answersOf(out);
      expect(kept.length).toBeLessThan(12);
      const forwardedBefore = new Map(proxy.forwardedPerQuestion);
      const resumed = await endpointRun(proxy.url, out, { resume: true, timeoutMs: 1500 });
      const answers = await answersOf(out);
      expect(proxy.injected).toEqual(['rate-limit', 'server-error', 'drop-connection', 'slow', 'truncated-json', 'unauthorized']);
      expect(answers.map((answer) => answer.question_id)).toEqual([...reference.keys()]);
      for (const answer of answers) expect(answer.response, `question ${answer.question_id}`).toBe(reference.get(answer.question_id));
      expect(resumed.asked).toBe(12 - kept.length);
      // the resumed run re-asked only what had no reply: questions answered before the 401 were not sent again
      const cache = (await readFile(join(out, 'endpoint-cache.jsonl'), 'utf8')).trim().split('\n');
      expect(cache).toHaveLength(12);
      const reasked = [...proxy.forwardedPerQuestion].filter(([question, count]) => (forwardedBefore.get(question) ?? 0) > 0 && count > (forwardedBefore.get(question) ?? 0));
      expect(reasked.length).toBeLessThanOrEqual(1); // at most the question whose request got the 401
      expect(await folderText(out)).not.toContain(key);
    } finally {
      await proxy.close();
    }
  });

  it('refuses bad requests with OpenAI-shaped 4xx JSON and keeps serving', async () => {
    const chat = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const image = `data:image/jpeg;base64,${(await readFile(join(data, 'MMVP Images', '1.jpg'))).toString('base64')}`;
    const question = (url: string) => [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Is it red?' },
          { type: 'image_url', image_url: { url } },
        ],
      },
    ];
    const cases: [string, Promise<Response>, number][] = [
      ['no messages', chat({ model: server.modelId, messages: [] }), 400],
      ['a non-image image_url', chat({ model: server.modelId, messages: question(`data:image/png;base64,${Buffer.from('not an image at all').toString('base64')}`) }), 400],
      ['a text/plain data URL', chat({ model: server.modelId, messages: question('data:text/plain;base64,aGVsbG8=') }), 400],
      ['an http image URL', chat({ model: server.modelId, messages: question('http://127.0.0.1:9/x.jpg') }), 400],
      ['a file: image URL', chat({ model: server.modelId, messages: question(`file://${join(data, 'MMVP Images', '1.jpg')}`) }), 400],
      ['a 50 MB body', chat(JSON.stringify({ model: server.modelId, messages: question(`data:image/jpeg;base64,${'A'.repeat(50 * 1024 * 1024)}`) })), 413],
      ['unknown model', chat({ model: 'gpt-nonexistent', messages: question(image) }), 404],
      ['wrong token', chat({ model: server.modelId, messages: question(image) }, { authorization: 'Bearer wrong' }), 401],
      ['no token', fetch(`${server.url}/models`), 401],
      ['not JSON', chat('{"model": '), 400],
    ];
    for (const [name, pending, status] of cases) {
      const response = await pending;
      const body = (await response.json()) as { error?: { message?: string; type?: string } };
      expect(response.status, name).toBe(status);
      expect(typeof body.error?.message, name).toBe('string');
      expect(body.error?.message, name).not.toMatch(/\n\s+at /); // never a stack trace
    }
    const ok = await chat({ model: server.modelId, messages: question(image), max_tokens: 4 });
    expect(ok.status).toBe(200);
    const completion = (await ok.json()) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    expect(typeof completion.choices[0]!.message.content).toBe('string');
  });

  it('streams the same text as a non-streamed reply (SSE chunks, then [DONE])', async () => {
    const image = `data:image/jpeg;base64,${(await readFile(join(data, 'MMVP Images', '2.jpg'))).toString('base64')}`;
    const body = {
      model: server.modelId,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is shown?' },
            { type: 'image_url', image_url: { url: image } },
          ],
        },
      ],
      max_tokens: 4,
    };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const plain = (await (await fetch(`${server.url}/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as { choices: { message: { content: string } }[] };
    const streamed = await (await fetch(`${server.url}/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ ...body, stream: true }) })).text();
    const events = streamed
      .split('\n\n')
      .filter((event) => event.startsWith('data: '))
      .map((event) => event.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const text = events
      .slice(0, -1)
      .map((event) => (JSON.parse(event) as { choices: { delta: { content?: string } }[] }).choices[0]!.delta.content ?? '')
      .join('');
    expect(text).toBe(plain.choices[0]!.message.content);
  });
});
