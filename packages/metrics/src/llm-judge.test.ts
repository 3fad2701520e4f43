import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JudgeRequestError } from './judge-request-error';
import { createLlmJudge } from './llm-judge';

/** A scripted chat-completions server on 127.0.0.1: each request takes the next planned reply. */
interface Planned {
  status: number;
  content?: string;
  body?: string;
  headers?: Record<string, string>;
}
const received: { url: string; headers: IncomingMessage['headers']; body: any }[] = [];
let plan: Planned[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body: JSON.parse(text) });
      const next = plan.shift() ?? { status: 200, content: 'yes' };
      response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      response.end(next.body ?? JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: next.content ?? '' }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${address.port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
  plan = [];
});

const secret = 'sk-test-0123456789-secret';
const item = { prompt: "Are the butterfly's wings closer to being open or closed? (a) Open (b) Closed", answer: '(a)', response: 'The wings are open.' };

describe('LLM judge against a local chat-completions server', () => {
  it('sends the original grader prompt verbatim, with model, temperature 0.2 and the bearer key', async () => {
    const judge = await createLlmJudge({ url: baseUrl, model: 'judge-model', apiKey: secret });
    plan = [{ status: 200, content: 'Yes' }];
    const verdict = await judge.judge(item);
    expect(verdict).toEqual({ verdict: 'yes', correct: true, reply: 'Yes', cached: false });
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('/v1/chat/completions');
    expect(received[0]!.headers.authorization).toBe(`Bearer ${secret}`);
    expect(received[0]!.body).toEqual({
      model: 'judge-model',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'You are a helpful and precise assistant for checking the quality of the answer. Please answer in only yes or no.' },
        {
          role: 'user',
          content:
            "Given the following question Are the butterfly's wings closer to being open or closed? (a) Open (b) Closed, the correct answer is (a). Does the following answer correctly answers the question, answer:The wings are open.?",
        },
      ],
    });
  });

  it('counts only an exact yes (case-insensitive)', async () => {
    const judge = await createLlmJudge({ url: `${baseUrl}/chat/completions`, model: 'm' });
    const replies = ['yes', 'YES', 'yEs', 'Yes.', ' yes', 'yes\n', 'Yes, it does.', 'no', 'No', 'maybe', ''];
    const expected = [true, true, true, false, false, false, false, false, false, false, false];
    const verdicts = [];
    for (const [i, reply] of replies.entries()) {
      plan = [{ status: 200, content: reply }];
      verdicts.push(await judge.judge({ ...item, response: `answer ${i}` }));
    }
    expect(verdicts.map((v) => v.correct)).toEqual(expected);
    expect(verdicts.map((v) => v.verdict)).toEqual(['yes', 'yes', 'yes', 'undetermined', 'undetermined', 'undetermined', 'undetermined', 'no', 'no', 'undetermined', 'undetermined']);
    expect(received.every((request) => request.headers.authorization === undefined)).toBe(true);
  });

  it('retries on 429 and 500 (honouring Retry-After), then succeeds', async () => {
    const judge = await createLlmJudge({ url: baseUrl, model: 'm' });
    plan = [
      { status: 429, body: '{"error":{"message":"rate limited"}}', headers: { 'retry-after': '0' } },
      { status: 500, body: 'oops' },
      { status: 503, body: 'busy' },
      { status: 200, content: 'no' },
    ];
    const verdict = await judge.judge(item);
    expect(verdict.verdict).toBe('no');
    expect(received).toHaveLength(4);
    expect(new Set(received.map((r) => JSON.stringify(r.body))).size).toBe(1); // the same request each time
  });

  it('gives up after maxRetries with the last status, and never puts the key in the message', async () => {
    const judge = await createLlmJudge({ url: baseUrl, model: 'm', apiKey: secret, maxRetries: 2 });
    plan = [
      { status: 500, body: `server error for ${secret}` },
      { status: 500, body: 'x' },
      { status: 502, body: `bad gateway ${secret}` },
    ];
    const failure = await judge.judge(item).catch((error: unknown) => error);
    expect(JudgeRequestError.isInstance(failure)).toBe(true);
    expect((failure as JudgeRequestError).status).toBe(502);
    expect((failure as Error).message).toMatch(/failed after 3 attempt\(s\): HTTP 502: bad gateway \[key\]/);
    expect((failure as Error).message).not.toContain(secret);
    expect(received).toHaveLength(3);
  });

  it('does not retry a connection refused: one attempt, the cause (ECONNREFUSED) in the message', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    let calls = 0;
    const judge = await createLlmJudge({ url: `http://127.0.0.1:${port}/v1`, model: 'm', maxRetries: 5, fetch: (input, init) => (calls++, globalThis.fetch(input, init)) });
    const failure = (await judge.judge(item).catch((error: unknown) => error)) as Error;
    expect(JudgeRequestError.isInstance(failure)).toBe(true);
    expect(failure.message).toBe(`judge endpoint http://127.0.0.1:${port}/v1/chat/completions is unreachable (fetch failed: connect ECONNREFUSED 127.0.0.1:${port}); check --judge-url and that the server is running`);
    expect(calls).toBe(1);
  });

  it('a malformed URL fails at once, no request sent; a query stays after /chat/completions (#31 minor)', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => (calls++, globalThis.fetch(input, init));
    await expect(createLlmJudge({ url: 'http//127.0.0.1:1/v1', model: 'm', fetch: counting })).rejects.toThrow(/LLM judge options is invalid: url: /);
    await expect(createLlmJudge({ url: 'ftp://127.0.0.1/v1', model: 'm', fetch: counting })).rejects.toThrow("judge URL 'ftp://127.0.0.1/v1': scheme 'ftp' is not supported; expected http:// or https:// (--judge-url)");
    expect(calls).toBe(0);
    const judge = await createLlmJudge({ url: `${baseUrl}?api-version=2024-02-01`, model: 'm' });
    expect(judge.endpoint).toBe(`${baseUrl}/chat/completions?api-version=2024-02-01`);
    await judge.judge(item);
    expect(received[0]!.url).toBe('/v1/chat/completions?api-version=2024-02-01');
  });

  it('does not retry a 401 and redacts the key the server echoes', async () => {
    const judge = await createLlmJudge({ url: baseUrl, model: 'm', apiKey: secret });
    plan = [{ status: 401, body: `{"error":{"message":"Incorrect API key provided: ${secret}"}}` }];
    const failure = (await judge.judge(item).catch((error: unknown) => error)) as Error;
    expect(failure.message).toMatch(/refused the request \(HTTP 401: .*Incorrect API key provided: \[key\]/);
    expect(failure.message).not.toContain(secret);
    expect(received).toHaveLength(1);
  });

  it('caches every reply on disk: a re-run sends nothing, and the key is not in the cache file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-judge-'));
    const cachePath = join(dir, 'cache', 'judge-cache.jsonl');
    const first = await createLlmJudge({ url: baseUrl, model: 'm', apiKey: secret, cachePath });
    plan = [
      { status: 200, content: 'yes' },
      { status: 200, content: 'no' },
    ];
    const a = await first.judge(item);
    const b = await first.judge({ ...item, response: 'The wings are closed.' });
    expect([a.cached, b.cached, received.length]).toEqual([false, false, 2]);
    expect((await first.judge(item)).cached).toBe(true);
    expect(received).toHaveLength(2);

    const second = await createLlmJudge({ url: baseUrl, model: 'm', apiKey: secret, cachePath });
    const again = [await second.judge(item), await second.judge({ ...item, response: 'The wings are closed.' })];
    expect(again.map((v) => [v.verdict, v.cached])).toEqual([
      ['yes', true],
      ['no', true],
    ]);
    expect(received).toHaveLength(2);
    // Another judge model is another cache entry.
    const other = await createLlmJudge({ url: baseUrl, model: 'other', apiKey: secret, cachePath });
    plan = [{ status: 200, content: 'no' }];
    expect((await other.judge(item)).cached).toBe(false);
    const cacheText = await readFile(cachePath, 'utf8');
    expect(cacheText.trim().split('\n')).toHaveLength(3);
    expect(cacheText).not.toContain(secret);
    expect(cacheText).not.toContain('Bearer');
  });

  it('rejects an OK reply without choices', async () => {
    const judge = await createLlmJudge({ url: baseUrl, model: 'm' });
    plan = [{ status: 200, body: '{"error":"nope"}' }];
    await expect(judge.judge(item)).rejects.toThrowError(/without choices\[0\]\.message\.content/);
  });
});
