import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { servePipeline, type RunningServer } from '../serve-pipeline';

// The setup the serve proofs (serve-proof.test.ts for eval-mllm, serve-pope-proof.test.ts for POPE) share: the zoo
// pipeline they serve, a server behind a fresh API key in a named environment variable, and reading the run folder.

/** The zoo's LLaVA (CLIP only) pipeline, the model both proofs serve. */
export const SERVED_PIPELINE = fileURLToPath(new URL('../../../../models/zoo/llava-clip/pipeline.json', import.meta.url));

/** A served pipeline and the key it wants. */
export interface KeyedServer {
  readonly server: RunningServer;
  /** The API key (random per start), set in `process.env[keyEnv]` while the server runs. */
  readonly key: string;
  readonly keyEnv: string;
  /** Closes the server and unsets the key. */
  close(): Promise<void>;
}

/** Serves `pipeline` on a free loopback port behind a fresh random key in the environment variable `keyEnv`. */
export async function startKeyedServer(pipeline: string, keyEnv: string): Promise<KeyedServer> {
  const key = `sk-mmvp-test-${randomBytes(12).toString('hex')}`;
  process.env[keyEnv] = key;
  const server = await servePipeline({ pipeline, port: 0, apiKeyEnv: keyEnv });
  return {
    server,
    key,
    keyEnv,
    async close() {
      await server.close();
      delete process.env[keyEnv];
    },
  };
}

/** The records of a JSON-lines file, in file order. */
export async function readJsonLines<T = Record<string, unknown>>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

/** Every file of a folder, as text (what an API key must appear in none of). */
export async function folderText(folder: string): Promise<string> {
  const names = await readdir(folder);
  return (await Promise.all(names.map((name) => readFile(join(folder, name), 'utf8').catch(() => '')))).join('\n');
}
