/**
 * `mmvp serve` against the same pipeline in-process, and the endpoint client's own cost.
 *
 * 1. Tokens per second of the zoo's llava-clip pipeline answering an MMVP-Synth set (36 questions,
 *    36 images, 224 px, greedy, the config's max 4 new tokens) with 1, 4 and 16 concurrent clients
 *    through `mmvp serve` (a child process, as users run it: `--max-batch-size` = clients; the
 *    clients here use the toolkit's endpoint client and send each image as a data URL) against
 *    `pipeline.askMany` in this process at the same batch size. Both sides are warmed up first (their
 *    visual-token caches then hold every image), so both measure the same decoding work; the server
 *    adds HTTP, JSON, base64, a decode-check of each image and batch forming. Target: >= 0.8 of
 *    in-process at 16 clients.
 * 2. Client overhead: one request at a time to a no-op chat-completions server (node:http, a fixed
 *    reply): the endpoint client (openai package, limiter, reply parsing) against a bare `fetch` of
 *    the same request.
 *
 *   pnpm bench serve
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatQuestion } from '@mmvp/decoder';
import { loadMmvp } from '@mmvp/datasets';
import { createEndpointClient, imageDataUrl, questionMessages } from '@mmvp/endpoint';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import { spawn } from 'node:child_process';
import { writeSynth } from '@mmvp/synth';
import { printTable } from './timing';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CLIENTS = [1, 4, 16] as const;

/** `mmvp serve` on a free port (the built CLI), until stopped with SIGTERM. */
async function startServe(maxBatchSize: number): Promise<{ url: string; stop(): Promise<void> }> {
  const cli = join(root, 'apps', 'cli', 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'serve', '--pipeline', join(root, 'models', 'zoo', 'llava-clip', 'pipeline.json'), '--port', '0', '--max-batch-size', String(maxBatchSize)], {
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

export default async function run(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'mmvp-serve-bench-'));
  try {
    await writeSynth({ out: join(scratch, 'data'), seed: 11, pairsPerPattern: 2, pairs: 18, contactSheets: false, overwrite: true });
    const dataset = await loadMmvp(join(scratch, 'data', 'MMVP'));
    const config = await loadPipelineConfig(join(root, 'models', 'zoo', 'llava-clip', 'pipeline.json'));
    const pipeline = await createPipeline(config);
    const style = config.decoder!.prompt;
    const questions = await Promise.all(
      dataset.questions.map(async (question) => ({ image: question.imagePath, text: formatQuestion(question.question, question.optionsText, style), url: (await imageDataUrl(question.imagePath)).url })),
    );
    const inProcess = async (batchSize: number) => {
      const started = performance.now();
      const answers = await pipeline.askMany(
        questions.map((question) => ({ image: question.image, question: question.text, prompt: 'original' as const })),
        { batchSize },
      );
      return { tokens: answers.reduce((sum, answer) => sum + answer.tokenIds.length, 0), seconds: (performance.now() - started) / 1000 };
    };
    const rows: Record<string, string | number>[] = [];
    await inProcess(8); // warm-up: sessions and every image's visual tokens
    for (const clients of CLIENTS) {
      const server = await startServe(clients);
      const url = server.url;
      const client = createEndpointClient({ url, model: 'llava-clip', maxConcurrency: clients, timeoutMs: 600_000, maxRetries: 0 });
      const served = async () => {
        const started = performance.now();
        const replies = await Promise.all(questions.map((question) => client.chat({ messages: questionMessages(question.text, question.url), decoding: { temperature: 0 } })));
        return { tokens: replies.reduce((sum, reply) => sum + (reply.usage?.completionTokens ?? 0), 0), seconds: (performance.now() - started) / 1000 };
      };
      await served(); // warm-up
      let best = { local: Number.POSITIVE_INFINITY, server: Number.POSITIVE_INFINITY, tokens: 0 };
      for (let round = 0; round < 3; round++) {
        const local = await inProcess(clients);
        const remote = await served();
        best = { local: Math.min(best.local, local.seconds), server: Math.min(best.server, remote.seconds), tokens: remote.tokens };
        if (local.tokens !== remote.tokens) throw new Error(`served ${remote.tokens} tokens, in-process ${local.tokens}: the answers differ`);
      }
      await server.stop();
      rows.push({
        clients,
        'batch size': clients,
        'in-process tok/s': best.tokens / best.local,
        'serve tok/s': best.tokens / best.server,
        'serve / in-process': best.local / best.server,
      });
    }
    await pipeline.dispose();
    console.log(`${questions.length} questions, greedy, max ${config.decoder!.maxNewTokens} new tokens; best of 3 rounds each`);
    printTable(rows);

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
  }
}
