import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSynth } from '@mmvp/synth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateMllm } from './evaluate-mllm';
import { startFakeChatEndpoint, type FakeChatEndpoint } from './fake-chat-endpoint';

const KEY_ENV = 'MMVP_ENDPOINT_TEST_KEY';
const key = `sk-endpoint-test-${randomBytes(8).toString('hex')}`;

let scratch: string;
let data: string;
let url: string;
let server: FakeChatEndpoint;
/** base64 of each image -> question id. */
const imageIds = new Map<string, number>();
/** Requests per question id, and what each question gets. */
const asked = new Map<number, number>();
let behaviour: (id: number) => { kind: 'answer' | 'refuse' | 'filter' | 'empty' | 'fail' } = () => ({ kind: 'answer' });
let fingerprint = 'fp_a';
const authorizations = new Set<string | undefined>();

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-endpoint-eval-'));
  await writeSynth({ out: join(scratch, 'synth'), seed: 1, pairsPerPattern: 1, pairs: 3, contactSheets: false });
  data = join(scratch, 'synth', 'MMVP');
  for (const name of await readdir(join(data, 'MMVP Images'))) imageIds.set((await readFile(join(data, 'MMVP Images', name))).toString('base64'), Number.parseInt(name, 10));
  server = await startFakeChatEndpoint({
    model: 'fake-vlm',
    fingerprint: () => fingerprint,
    usage: { promptTokens: 20, completionTokens: 1 },
    reply: (request) => {
      authorizations.add(request.authorization);
      const id = imageIds.get(request.imageBase64) ?? -1;
      asked.set(id, (asked.get(id) ?? 0) + 1);
      const { kind } = behaviour(id);
      if (kind === 'fail') return { kind, status: 400, message: `question ${id} is refused (test)` };
      return kind === 'answer' ? { kind, text: id % 2 === 1 ? 'A' : 'B' } : { kind };
    },
  });
  url = server.url;
  process.env[KEY_ENV] = key;
});

afterAll(async () => {
  await server.close();
  delete process.env[KEY_ENV];
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  asked.clear();
  behaviour = () => ({ kind: 'answer' });
  fingerprint = 'fp_a';
});

const endpoint = (model = 'fake-vlm') => ({ url, model, apiKeyEnv: KEY_ENV, maxConcurrency: 2, maxRetries: 1 });

async function lines(out: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(out, 'answers.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('evaluateMllm with an endpoint model', () => {
  it('records refusals, filtered and empty replies as such, grades them undetermined, and writes usage; the key goes only into the Authorization header', async () => {
    behaviour = (id) => ({ kind: id === 2 ? 'refuse' : id === 3 ? 'filter' : id === 4 ? 'empty' : 'answer' });
    const out = join(scratch, 'outcomes');
    const run = await evaluateMllm({ endpoint: endpoint(), data, out });
    const answers = await lines(out);
    expect(answers.map((answer) => [answer['question_id'], answer['endpoint_outcome'], answer['response']])).toEqual([
      [1, 'answered', 'A'],
      [2, 'refused', ''],
      [3, 'filtered', ''],
      [4, 'empty', ''],
      [5, 'answered', 'A'],
      [6, 'answered', 'B'],
    ]);
    expect(answers[1]!['refusal']).toBe('I cannot help with that.');
    expect(run.scores.undetermined).toBe(3);
    const usage = JSON.parse(await readFile(join(out, 'endpoint-usage.json'), 'utf8')) as { totals: { totalTokens: number; requestsSent: number; outcomes: Record<string, number> } };
    expect(usage.totals).toMatchObject({ totalTokens: 6 * 21, requestsSent: 6, outcomes: { answered: 3, refused: 1, filtered: 1, empty: 1 } });
    expect([...authorizations]).toEqual([`Bearer ${key}`]);
    for (const name of await readdir(out)) expect(await readFile(join(out, name), 'utf8'), name).not.toContain(key);
  });

  it('a question that keeps failing is recorded and left for --resume, which asks only it (the rest come from the cache)', async () => {
    behaviour = (id) => ({ kind: id === 3 ? 'fail' : 'answer' });
    const out = join(scratch, 'failing');
    await expect(evaluateMllm({ endpoint: endpoint(), data, out })).rejects.toThrow(/1 question\(s\) failed for good \(question 3: .*HTTP 400.*run again with --resume/);
    expect((await lines(out)).map((answer) => answer['question_id'])).toEqual([1, 2]);
    expect(JSON.parse(await readFile(join(out, 'endpoint-failures.json'), 'utf8'))).toMatchObject({ failed: [{ question_id: 3 }] });
    const firstRun = new Map(asked);
    expect([...firstRun.values()]).toEqual(new Array(6).fill(1)); // 400 is not retried; every question asked once
    asked.clear();
    behaviour = () => ({ kind: 'answer' });
    const resumed = await evaluateMllm({ endpoint: endpoint(), data, out, resume: true });
    expect([...asked]).toEqual([[3, 1]]);
    expect(resumed.asked).toBe(4);
    expect((await lines(out)).map((answer) => answer['question_id'])).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(readFile(join(out, 'endpoint-failures.json'))).rejects.toThrow();
  });

  it('refuses to resume under another model, URL or decoding, or when the endpoint answers with another system_fingerprint', async () => {
    behaviour = (id) => ({ kind: id === 5 ? 'fail' : 'answer' });
    const out = join(scratch, 'identity');
    await expect(evaluateMllm({ endpoint: endpoint(), data, out })).rejects.toThrow(/failed for good/);
    behaviour = () => ({ kind: 'answer' });
    await expect(evaluateMllm({ endpoint: endpoint('other-model'), data, out, resume: true })).rejects.toThrow(/--resume: .*differ/);
    await expect(evaluateMllm({ endpoint: { ...endpoint(), url: url.replace('127.0.0.1', 'localhost') }, data, out, resume: true })).rejects.toThrow(/--resume: pipelineConfigSha256 differ/);
    await expect(evaluateMllm({ endpoint: { ...endpoint(), decoding: { temperature: 0.2 } }, data, out, resume: true })).rejects.toThrow(/--resume: decoding differ/);
    fingerprint = 'fp_b';
    await expect(evaluateMllm({ endpoint: endpoint(), data, out, resume: true })).rejects.toThrow(/system_fingerprint 'fp_b'.*'fp_a'/);
    expect((await lines(out)).map((answer) => answer['question_id'])).toEqual([1, 2, 3, 4]);
    fingerprint = 'fp_a';
    await evaluateMllm({ endpoint: endpoint(), data, out, resume: true });
    expect((await lines(out)).map((answer) => answer['question_id'])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a run killed after some answers, resumed, asks no committed question again and ends with the bytes of an uninterrupted run', async () => {
    const whole = join(scratch, 'uninterrupted');
    await evaluateMllm({ endpoint: endpoint(), data, out: whole });
    const out = join(scratch, 'killed');
    const controller = new AbortController();
    asked.clear();
    const killed = evaluateMllm({
      endpoint: endpoint(),
      data,
      out,
      abortSignal: controller.signal,
      onEvent: (event) => event.type === 'progress' && event.stage === 'answers' && event.done === 3 && controller.abort(new Error('killed (test)')),
    });
    await expect(killed).rejects.toThrow(/killed \(test\)/);
    const committed = (await lines(out)).map((answer) => answer['question_id'] as number);
    expect(committed.length).toBeGreaterThanOrEqual(3);
    expect(committed).toEqual([1, 2, 3, 4, 5, 6].slice(0, committed.length)); // a prefix, in question order
    asked.clear();
    const resumed = await evaluateMllm({ endpoint: endpoint(), data, out, resume: true });
    expect(resumed.asked).toBe(6 - committed.length);
    for (const id of committed) expect(asked.has(id), `question ${id} was committed before the kill`).toBe(false);
    expect(await readFile(join(out, 'answers.jsonl'), 'utf8')).toBe(await readFile(join(whole, 'answers.jsonl'), 'utf8'));
  });

  it('takes a pipeline config of kind endpoint, and names the file and the field of a bad one', async () => {
    const config = join(scratch, 'endpoint.json');
    await writeFile(config, JSON.stringify({ kind: 'endpoint', url, model: 'fake-vlm', apiKeyEnv: KEY_ENV, maxConcurrency: 3, decoding: { temperature: 0, maxTokens: 8 } }));
    const run = await evaluateMllm({ pipeline: config, data, out: join(scratch, 'from-config') });
    expect(run.asked).toBe(6);
    const bad = join(scratch, 'bad-endpoint.json');
    await writeFile(bad, JSON.stringify({ kind: 'endpoint', url, model: 'fake-vlm', maxConcurency: 3 }));
    await expect(evaluateMllm({ pipeline: bad, data, out: join(scratch, 'bad') })).rejects.toThrow(/bad-endpoint\.json is invalid: .*maxConcurency/);
    delete process.env['MMVP_UNSET_KEY'];
    await expect(evaluateMllm({ endpoint: { ...endpoint(), apiKeyEnv: 'MMVP_UNSET_KEY' }, data, out: join(scratch, 'no-key') })).rejects.toThrow(/MMVP_UNSET_KEY .* is not set/);
  });
});
