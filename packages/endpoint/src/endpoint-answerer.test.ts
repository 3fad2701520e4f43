import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointAnswerFields } from './answer-fields';
import { readEndpointApiKey } from './api-key';
import { createEndpointAnswerer } from './endpoint-answerer';
import { parseEndpointConfig } from './endpoint-config';

let scratch: string;
let url: string;
let requests = 0;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-endpoint-answerer-'));
  // replies after 100 ms with the question's text reversed (so each question has its own answer)
  const server = createServer((request, reply) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      requests++;
      const question = (JSON.parse(text) as { messages: { content: { type: string; text?: string }[] }[] }).messages[0]!.content[0]!.text!;
      setTimeout(() => {
        reply.writeHead(200, { 'content-type': 'application/json' });
        reply.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 0,
            model: 'm',
            choices: [{ index: 0, message: { role: 'assistant', content: [...question].reverse().join('') }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
          }),
        );
      }, 100);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  await closeServer();
  await rm(scratch, { recursive: true, force: true });
});

describe('createEndpointAnswerer', () => {
  it('sends a question asked again while it is in flight once; both get its reply, the second marked cached; another question is sent', async () => {
    const image = join(scratch, 'a.png');
    await writeFile(image, Buffer.from('89504e470d0a1a0a', 'hex'));
    const answerer = await createEndpointAnswerer({ config: parseEndpointConfig({ kind: 'endpoint', url, model: 'm', apiKeyEnv: 'none' }, 'test'), cachePath: join(scratch, 'cache.jsonl') });
    requests = 0;
    const [first, second, other] = await Promise.all([answerer.ask({ image, text: 'abc' }), answerer.ask({ image, text: 'abc' }), answerer.ask({ image, text: 'xyz' })]);
    expect(requests).toBe(2);
    expect([first.reply.text, second.reply.text, other.reply.text]).toEqual(['cba', 'cba', 'zyx']);
    expect([first.cached, second.cached, other.cached]).toEqual([false, true, false]);
    const again = await answerer.ask({ image, text: 'abc' });
    expect(again).toMatchObject({ cached: true, reply: { text: 'cba' } });
    expect(requests).toBe(2);
    expect(endpointAnswerFields(first.reply)).toEqual({ endpoint_outcome: 'answered', usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
  });

  it('reads the key from the named variable only, and names a missing one', () => {
    expect(readEndpointApiKey('none')).toBeUndefined();
    process.env['MMVP_ANSWERER_TEST_KEY'] = 'k-1';
    expect(readEndpointApiKey('MMVP_ANSWERER_TEST_KEY')).toBe('k-1');
    delete process.env['MMVP_ANSWERER_TEST_KEY'];
    expect(() => readEndpointApiKey('MMVP_ANSWERER_TEST_KEY')).toThrow(/MMVP_ANSWERER_TEST_KEY .* is not set/);
  });
});
