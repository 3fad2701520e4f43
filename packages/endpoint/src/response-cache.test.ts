import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { questionMessages } from './endpoint-answerer';
import { publicEndpointUrl } from './public-url';
import { ResponseCache, responseCacheKey } from './response-cache';

const decoding = { temperature: 0 };

describe('responseCacheKey', () => {
  it('keys by model, messages (the image by its SHA-256) and decoding', () => {
    const messages = questionMessages('Is it red?', 'data:image/png;base64,AAAA');
    const images = new Map([['data:image/png;base64,AAAA', 'ab'.repeat(32)]]);
    const key = responseCacheKey({ model: 'm', messages, decoding, imageSha256: images });
    // the same bytes under another data URL string but the same hash give the same key
    const same = responseCacheKey({ model: 'm', messages: questionMessages('Is it red?', 'data:image/jpeg;base64,AAAA'), decoding, imageSha256: new Map([['data:image/jpeg;base64,AAAA', 'ab'.repeat(32)]]) });
    expect(same).toBe(key);
    expect(responseCacheKey({ model: 'other', messages, decoding, imageSha256: images })).not.toBe(key);
    expect(responseCacheKey({ model: 'm', messages, decoding: { temperature: 0.2 }, imageSha256: images })).not.toBe(key);
    expect(responseCacheKey({ model: 'm', messages: questionMessages('Is it blue?', 'data:image/png;base64,AAAA'), decoding, imageSha256: images })).not.toBe(key);
    expect(responseCacheKey({ model: 'm', messages, decoding, imageSha256: new Map([['data:image/png;base64,AAAA', 'cd'.repeat(32)]]) })).not.toBe(key);
  });
});

describe('ResponseCache', () => {
  it('reads back what it stored and ignores a line cut by a kill', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-response-cache-'));
    try {
      const path = join(folder, 'endpoint-cache.jsonl');
      const cache = await ResponseCache.open(path);
      await cache.set({ key: 'k1', model: 'm', reply: { text: 'A', outcome: 'answered' }, latencyMs: 12 });
      await appendFile(path, '{"key":"k2","model":"m","rep');
      const reopened = await ResponseCache.open(path);
      expect(reopened.size).toBe(1);
      expect(reopened.get('k1')?.reply.text).toBe('A');
      await reopened.set({ key: 'k3', model: 'm', reply: { text: 'B', outcome: 'answered' }, latencyMs: 5 });
      expect((await ResponseCache.open(path)).get('k3')?.reply.text).toBe('B');
      expect((await readFile(path, 'utf8')).endsWith('\n')).toBe(true);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('publicEndpointUrl', () => {
  it('drops user name, password, query and fragment', () => {
    expect(publicEndpointUrl('https://user:sk-123@gateway.example/v1/?key=sk-456#x')).toBe('https://gateway.example/v1');
    expect(() => publicEndpointUrl('ftp://127.0.0.1/v1')).toThrow(/valid choices: 'http:', 'https:'/);
  });
});
