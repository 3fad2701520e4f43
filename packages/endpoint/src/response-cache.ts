import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { ChatReply } from './endpoint-client';
import type { EndpointDecoding } from './endpoint-config';

/** One cached reply: the reply and how long it took when it was asked. */
export interface CachedReply {
  readonly key: string;
  readonly model: string;
  readonly reply: ChatReply;
  /** Wall time of the request when it was made (retries included), in milliseconds. */
  readonly latencyMs: number;
}

/**
 * The cache key of one request: SHA-256 over (endpoint model, messages with every image data URL
 * replaced by the SHA-256 of its bytes, decoding). The URL is not part of it, so the same model
 * behind a moved endpoint keeps its answers; the run identity guards the rest.
 */
export function responseCacheKey(request: { model: string; messages: readonly unknown[]; decoding: EndpointDecoding; imageSha256: ReadonlyMap<string, string> }): string {
  const messages = JSON.parse(JSON.stringify(request.messages), (_key, value: unknown) => (typeof value === 'string' && request.imageSha256.has(value) ? `sha256:${request.imageSha256.get(value)}` : value)) as unknown;
  const decoding = Object.fromEntries(Object.entries(request.decoding).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256')
    .update(JSON.stringify({ model: request.model, messages, decoding }))
    .digest('hex');
}

/**
 * Replies on disk, one JSON line each, appended as each reply arrives (before it is used), so a
 * resumed or re-graded run never pays for a question twice. A line cut by a kill is ignored.
 */
export class ResponseCache {
  private constructor(
    readonly path: string,
    private readonly entries: Map<string, CachedReply>,
  ) {}

  /** Opens (or starts) the cache file. */
  static async open(path: string): Promise<ResponseCache> {
    const text = await readFile(path, 'utf8').catch(() => '');
    const entries = new Map<string, CachedReply>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const entry = JSON.parse(line) as CachedReply;
        if (typeof entry.key === 'string' && entry.reply !== undefined) entries.set(entry.key, entry);
      } catch {
        // a line cut by a killed writer: that question is asked again
      }
    }
    if (text.length > 0 && !text.endsWith('\n')) await appendFile(path, '\n');
    return new ResponseCache(path, entries);
  }

  /** Replies held. */
  get size(): number {
    return this.entries.size;
  }

  /** The cached reply of a key, if any. */
  get(key: string): CachedReply | undefined {
    return this.entries.get(key);
  }

  /** Stores a reply (one appended line). */
  async set(entry: CachedReply): Promise<void> {
    this.entries.set(entry.key, entry);
    await appendFile(this.path, `${JSON.stringify(entry)}\n`);
  }
}
