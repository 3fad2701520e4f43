import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEndpointClient } from './endpoint-client';
import { EndpointRequestError } from './endpoint-request-error';

interface Seen {
  readonly at: number;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A fake chat-completions server: `answer(k)` replies to the k-th request (0-based). */
async function fakeServer(answer: (index: number, reply: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request: IncomingMessage, reply) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      seen.push({ at: Date.now(), authorization: request.headers.authorization, body: JSON.parse(text) as Record<string, unknown> });
      answer(seen.length - 1, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

function completion(message: Record<string, unknown>, finishReason = 'stop') {
  return JSON.stringify({
    id: 'x',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    system_fingerprint: 'fp_1',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
    usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
  });
}

const settings = { model: 'm', maxConcurrency: 2, timeoutMs: 5000, maxRetries: 3 };
const decoding = { temperature: 0, maxTokens: 8, seed: 7 };
const messages = [{ role: 'user' as const, content: 'Is it red?' }];

describe('createEndpointClient', () => {
  it('sends model, messages, temperature, max_tokens and seed, the key only as the bearer token, and reads text, usage and fingerprint', async () => {
    const server = await fakeServer((_index, reply) => reply.writeHead(200, { 'content-type': 'application/json' }).end(completion({ content: '(a) Yes' })));
    const client = createEndpointClient({ ...settings, url: server.url }, { apiKey: 'sk-secret-1' });
    const reply = await client.chat({ messages, decoding });
    expect(reply).toMatchObject({ text: '(a) Yes', outcome: 'answered', finishReason: 'stop', systemFingerprint: 'fp_1', usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 } });
    expect(server.seen[0]!.authorization).toBe('Bearer sk-secret-1');
    expect(server.seen[0]!.body).toMatchObject({ model: 'm', messages, temperature: 0, max_tokens: 8, seed: 7 });
  });

  it('sends no Authorization header without a key', async () => {
    const server = await fakeServer((_index, reply) => reply.writeHead(200, { 'content-type': 'application/json' }).end(completion({ content: 'B' })));
    await createEndpointClient({ ...settings, url: server.url }).chat({ messages, decoding });
    expect(server.seen[0]!.authorization).toBeUndefined();
  });

  it('tells refusals, filtered and empty replies apart (their text is empty, so graders leave them undetermined)', async () => {
    const replies = [completion({ content: null, refusal: 'I cannot help with that.' }), completion({ content: '' }, 'content_filter'), completion({ content: '  ' })];
    const server = await fakeServer((index, reply) => reply.writeHead(200, { 'content-type': 'application/json' }).end(replies[index]));
    const client = createEndpointClient({ ...settings, url: server.url, maxConcurrency: 1 });
    const outcomes = [];
    for (let k = 0; k < 3; k++) outcomes.push(await client.chat({ messages, decoding }));
    expect(outcomes.map((reply) => [reply.outcome, reply.text])).toEqual([
      ['refused', ''],
      ['filtered', ''],
      ['empty', ''],
    ]);
    expect(outcomes[0]!.refusal).toBe('I cannot help with that.');
  });

  it('waits as long as Retry-After says after a 429, and retries a reply whose JSON is cut', async () => {
    const server = await fakeServer((index, reply) => {
      if (index === 0) reply.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":{"message":"slow down"}}');
      else if (index === 1) reply.writeHead(200, { 'content-type': 'application/json' }).end(completion({ content: 'A' }).slice(0, 40));
      else reply.writeHead(200, { 'content-type': 'application/json' }).end(completion({ content: 'A' }));
    });
    const client = createEndpointClient({ ...settings, url: server.url });
    expect((await client.chat({ messages, decoding })).text).toBe('A');
    expect(server.seen).toHaveLength(3);
    expect(server.seen[1]!.at - server.seen[0]!.at).toBeGreaterThanOrEqual(950);
    expect(client.attempts).toBe(3);
  });

  it('does not retry a 401: a fatal error that names the status, never the key', async () => {
    const server = await fakeServer((_index, reply) => reply.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"Incorrect API key provided: sk-secret-2"}}'));
    const error = await createEndpointClient({ ...settings, url: server.url }, { apiKey: 'sk-secret-2' })
      .chat({ messages, decoding })
      .catch((caught: unknown) => caught);
    expect(EndpointRequestError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, fatal: true });
    expect((error as Error).message).toMatch(/HTTP 401/);
    expect((error as Error).message).not.toContain('sk-secret-2');
    expect(server.seen).toHaveLength(1);
  });

  it('a 400 fails that one request (not fatal), without retries', async () => {
    const server = await fakeServer((_index, reply) => reply.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"image too large"}}'));
    const error = await createEndpointClient({ ...settings, url: server.url })
      .chat({ messages, decoding })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, fatal: false });
    expect(server.seen).toHaveLength(1);
  });
});

describe('createEndpointClient against a closed port', () => {
  it('fails at once, fatal, naming the cause and the flag: no retries when nothing listens', async () => {
    const server = await fakeServer(() => undefined);
    const url = server.url;
    await close!();
    close = undefined;
    let calls = 0;
    const client = createEndpointClient({ ...settings, url, maxRetries: 5 }, { fetch: (input, init) => (calls++, globalThis.fetch(input, init)) });
    const error = await client.chat({ messages, decoding }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ fatal: true });
    expect((error as Error).message).toMatch(/is unreachable \(fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+\); check --endpoint and that the server is running/);
    expect(calls).toBe(1);
  });
});
