/**
 * `mmvp serve` against the same pipeline in-process, and the endpoint client's own cost.
 *
 * 1. Tokens per second of the zoo's llava-clip pipeline (greedy, the config's max 4 new tokens)
 *    answering MMVP-Synth questions with 1, 4 and 16 concurrent clients through `mmvp serve` (a
 *    child process, as users run it: `--max-batch-size` = clients; the clients use the toolkit's
 *    endpoint client and send each image as a data URL) against `pipeline.askMany` in this process
 *    on `clients` questions at a time with `batchSize` = clients (so the vision encoder, too, sees
 *    batches no larger than the server's). Two workloads:
 *    - `cached`: 36 questions about 36 images, asked 8 times per round (288 requests); both sides
 *      are warmed first, so their visual-token caches hold every image and both measure decoding
 *      only: the server's HTTP, JSON, base64 and batch forming weigh most here.
 *    - `new images`: 96 questions about 96 images per round, more than the pipeline's 64-image
 *      cache, so every request decodes and encodes its image on both sides (in-process with
 *      `imageCacheSize: 0`), as in an MMVP run, where each question has its own image.
 *    Rounds alternate in-process / serve so both see the same machine load; each row gives the
 *    median of 5 rounds and the spread (min-max of serve / in-process over the rounds). The answers
 *    of both sides must have the same token count every round. Target: >= 0.8 at 16 clients.
 * 2. Client overhead: one request at a time to a no-op chat-completions server (node:http, a fixed
 *    reply): the endpoint client (openai package, limiter, reply parsing) against a bare `fetch` of
 *    the same request.
 *
 * The machine's load average is printed before and after: timings taken on a busy machine are not
 * the result (serve's client and server processes then compete with other work for the cores).
 *
 *   pnpm bench serve
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatQuestion } from '@mmvp/decoder';
import { loadMmvp } from '@mmvp/datasets';
import { createEndpointClient, imageDataUrl, questionMessages } from '@mmvp/endpoint';
import { createPipeline, loadPipelineConfig, type Pipeline } from '@mmvp/pipeline';
import { spawn } from 'node:child_process';
import { writeSynth } from '@mmvp/synth';
import { printTable } from './timing';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PIPELINE = join(root, 'models', 'zoo', 'llava-clip', 'pipeline.json');
const CLIENTS = [1, 4, 16] as const;
const ROUNDS = 5;

/** `mmvp serve` on a free port (the built CLI), until stopped with SIGTERM. */
async function startServe(maxBatchSize: number): Promise<{ url: string; stop(): Promise<void> }> {
  const cli = join(root, 'apps', 'cli', 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'serve', '--pipeline', PIPELINE, '--port', '0', '--max-batch-size', String(maxBatchSize)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const match = /at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(log);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`mmvp serve exited: ${log}`)));
  });
  return { url, stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))) };
}

interface Question {
  readonly image: string;
  readonly text: string;
  readonly url: string;
}

/** Questions of a fresh MMVP-Synth set of `pairs` pairs (one question per image), in the config's prompt style. */
async function synthQuestions(folder: string, pairs: number, style: Parameters<typeof formatQuestion>[2]): Promise<Question[]> {
  await writeSynth({ out: folder, seed: 11, pairsPerPattern: Math.ceil(pairs / 9), pairs, contactSheets: false, overwrite: true });
  const dataset = await loadMmvp(join(folder, 'MMVP'));
  return Promise.all(dataset.questions.map(async (question) => ({ image: question.imagePath, text: formatQuestion(question.question, question.optionsText, style), url: (await imageDataUrl(question.imagePath)).url })));
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Rounds of in-process and served answers, alternating; one table row. */
async function compare(workload: string, pipeline: Pipeline, questions: readonly Question[], clients: number): Promise<Record<string, string | number>> {
  const server = await startServe(clients);
  try {
    const client = createEndpointClient({ url: server.url, model: 'llava-clip', maxConcurrency: clients, timeoutMs: 600_000, maxRetries: 0 });
    const inProcess = async () => {
      const started = performance.now();
      let tokens = 0;
      // `clients` questions per askMany call: the vision encoder, too, gets the server's largest batch (not all images at once)
      for (let first = 0; first < questions.length; first += clients) {
        const answers = await pipeline.askMany(
          questions.slice(first, first + clients).map((question) => ({ image: question.image, question: question.text, prompt: 'original' as const })),
          { batchSize: clients },
        );
        tokens += answers.reduce((sum, answer) => sum + answer.tokenIds.length, 0);
      }
      return { tokens, seconds: (performance.now() - started) / 1000 };
    };
    const served = async () => {
      const started = performance.now();
      const replies = await Promise.all(questions.map((question) => client.chat({ messages: questionMessages(question.text, question.url), decoding: { temperature: 0 } })));
      return { tokens: replies.reduce((sum, reply) => sum + (reply.usage?.completionTokens ?? 0), 0), seconds: (performance.now() - started) / 1000 };
    };
    await inProcess(); // warm-up: sessions (and, for `cached`, every image's visual tokens)
    await served();
    const local: number[] = [];
    const remote: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = await inProcess();
      const b = await served();
      if (a.tokens !== b.tokens) throw new Error(`served ${b.tokens} tokens, in-process ${a.tokens}: the answers differ`);
      local.push(a.tokens / a.seconds);
      remote.push(b.tokens / b.seconds);
    }
    const ratios = remote.map((value, round) => value / local[round]!);
    return {
      workload,
      clients,
      'batch size': clients,
      requests: questions.length,
      'in-process tok/s': median(local),
      'serve tok/s': median(remote),
      'serve / in-process': median(remote) / median(local),
      'spread (min-max)': `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`,
    };
  } finally {
    await server.stop();
  }
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

export default async function run(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'mmvp-serve-bench-'));
  const config = await loadPipelineConfig(PIPELINE);
  const style = config.decoder!.prompt;
  console.log(`load average (1, 5, 15 min) before: ${load()}`);
  try {
    const cached = await synthQuestions(join(scratch, 'cached'), 18, style);
    const fresh = await synthQuestions(join(scratch, 'fresh'), 48, style);
    const rows: Record<string, string | number>[] = [];
    const warm = await createPipeline(config);
    try {
      const repeated = Array.from({ length: 8 }, () => cached).flat();
      for (const clients of CLIENTS) rows.push(await compare('cached', warm, repeated, clients));
    } finally {
      await warm.dispose();
    }
    const cold = await createPipeline(config, { imageCacheSize: 0 });
    try {
      for (const clients of CLIENTS) rows.push(await compare('new images', cold, fresh, clients));
    } finally {
      await cold.dispose();
    }
    console.log(`greedy, max ${config.decoder!.maxNewTokens} new tokens; median of ${ROUNDS} rounds (in-process and serve alternating), spread = min-max of serve / in-process per round`);
    printTable(rows);
    const questions = cached;

    // Client overhead against a no-op server.
    const reply = JSON.stringify({
      id: 'x',
      object: 'chat.completion',
      created: 0,
      model: 'noop',
      choices: [{ index: 0, message: { role: 'assistant', content: 'A' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
    const noop = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(reply));
    });
    await new Promise<void>((resolve) => noop.listen(0, '127.0.0.1', resolve));
    const noopUrl = `http://127.0.0.1:${(noop.address() as AddressInfo).port}/v1`;
    const image = (await readFile(questions[0]!.image)).toString('base64');
    const messages = questionMessages(questions[0]!.text, `data:image/jpeg;base64,${image}`);
    const client = createEndpointClient({ url: noopUrl, model: 'noop', maxConcurrency: 1, timeoutMs: 10_000, maxRetries: 0 });
    const body = JSON.stringify({ model: 'noop', messages, temperature: 0 });
    const perRequest = async (send: () => Promise<unknown>, count: number) => {
      for (let i = 0; i < 50; i++) await send();
      const started = performance.now();
      for (let i = 0; i < count; i++) await send();
      return ((performance.now() - started) * 1000) / count;
    };
    const bare = () => fetch(`${noopUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((response) => response.json());
    const endpoint = () => client.chat({ messages, decoding: { temperature: 0 } });
    let bareUs = Number.POSITIVE_INFINITY;
    let clientUs = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      bareUs = Math.min(bareUs, await perRequest(bare, 400));
      clientUs = Math.min(clientUs, await perRequest(endpoint, 400));
    }
    await new Promise<void>((resolve) => noop.close(() => resolve()));
    console.log(`\nendpoint client against a no-op server (one request at a time, ${Math.round(body.length / 1024)} KiB request, best of 3 x 400)`);
    printTable([
      { path: 'bare fetch', 'us / request': bareUs },
      { path: 'endpoint client (openai)', 'us / request': clientUs },
      { path: 'client overhead', 'us / request': clientUs - bareUs },
    ]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    console.log(`load average (1, 5, 15 min) after: ${load()}`);
  }
}
