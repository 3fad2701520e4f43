import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';
import type { ChatMessage } from './judge-prompt';

/** One cached judge reply; the request is identified by a hash, the API key is never part of it. */
export interface JudgeCacheEntry {
  readonly key: string;
  readonly model: string;
  readonly reply: string;
}

/** The cache key of a judge request: endpoint (query string dropped), model, temperature, messages. */
export function judgeCacheKey(request: { endpoint: string; model: string; temperature: number; messages: readonly ChatMessage[] }): string {
  const endpoint = request.endpoint.split('?')[0];
  return createHash('sha256')
    .update(JSON.stringify([endpoint, request.model, request.temperature, request.messages]))
    .digest('hex');
}

/**
 * Judge replies on disk, one JSON line per reply, appended as each reply arrives, so an interrupted
 * grading loses nothing and a re-run asks the endpoint nothing it has asked before. A last line cut
 * short by a kill is ignored.
 */
export class JudgeCache {
  private constructor(
    readonly path: string,
    private readonly entries: Map<string, string>,
  ) {}

  /** Opens (or starts) a judge cache file, reading the verdicts already in it. */
  static async open(path: string): Promise<JudgeCache> {
    const entries = new Map<string, string>();
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim().length === 0) continue;
      try {
        const entry = JSON.parse(line) as JudgeCacheEntry;
        if (typeof entry.key === 'string' && typeof entry.reply === 'string') entries.set(entry.key, entry.reply);
      } catch {
        // a line cut short by a killed run: that reply is asked again
      }
    }
    await mkdir(dirname(path), { recursive: true });
    return new JudgeCache(path, entries);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached judge reply for a key, or undefined. */
  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** Records a judge reply (appended to the file at once). */
  async set(entry: JudgeCacheEntry): Promise<void> {
    this.entries.set(entry.key, entry.reply);
    await appendFile(this.path, `${JSON.stringify({ key: entry.key, model: entry.model, reply: entry.reply })}\n`);
  }
}
