import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSynth } from '@mmvp/synth';
import { evaluateMllm } from '../mmvp/evaluate-mllm';
import { evaluatePope } from '../mmvp/evaluate-pope';
import { startFakeChatEndpoint, type FakeChatEndpoint } from '../mmvp/fake-chat-endpoint';
import { parseRedisUrl } from './queue-settings';
import { startWorker } from '../study-job-kinds';
import type { RunningWorker } from './start-worker';
import { startLocalRedisServer, type LocalRedisServer } from './test-redis-server';

const pngs = fileURLToPath(new URL('../../../metrics/src/__fixtures__/mmvp-vlm-tiny/MMVP_VLM_Images/Orientation/', import.meta.url));
const KEY_ENV = 'MMVP_POPE_QUEUE_ENDPOINT_KEY';
const key = `sk-pope-queue-${randomBytes(8).toString('hex')}`;
const OBJECTS = ['cat', 'dog', 'bus', 'car', 'cup', 'kite', 'fork'];

let redis: LocalRedisServer;
let scratch: string;
let data: string;
let url: string;
let server: FakeChatEndpoint;
/** Chat requests the fake endpoint got, per (image, question) message, and the Authorization headers it saw. */
const requests = new Map<string, number>();
const authorizations = new Set<string | undefined>();
/** How long the fake endpoint waits before replying. */
let delayMs = 0;

beforeAll(async () => {
  redis = await startLocalRedisServer();
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-pope-queue-endpoint-'));
  data = join(scratch, 'pope');
  await mkdir(join(data, 'val2014'), { recursive: true });
  const sources = (await readdir(pngs)).sort().slice(0, 2);
  for (const [i, source] of sources.entries()) await cp(join(pngs, source), join(data, 'val2014', `COCO_val2014_00000000000${i + 1}.png`));
  for (const [s, split] of ['random', 'adversarial'].entries()) {
    const lines = OBJECTS.map((object, i) =>
      JSON.stringify({ question_id: i + 1, image: `COCO_val2014_00000000000${((i + s) % 2) + 1}.png`, text: `Is there a ${object} in the image?`, label: (i + s) % 3 === 0 ? 'yes' : 'no' }),
    );
    await writeFile(join(data, `coco_pope_${split}.json`), `${lines.join('\n')}\n`);
  }
  // A fake endpoint whose reply depends on the question and the image's bytes (so a wrong image shows).
  server = await startFakeChatEndpoint({
    fingerprint: () => 'fp_q',
    usage: { promptTokens: 9, completionTokens: 3 },
    reply: async (request) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      authorizations.add(request.authorization);
      const question = request.text;
      const image = request.imageUrl;
      const message = `${image.length % 97}\n${question}`;
      requests.set(message, (requests.get(message) ?? 0) + 1);
      if ((image.length + question.length) % 3 === 0) return { kind: 'answer', text: 'No, there is not.' };
      return question.includes('bus') ? { kind: 'refuse' } : { kind: 'answer', text: 'Yes.' };
    },
  });
  url = server.url;
  process.env[KEY_ENV] = key;
});

afterAll(async () => {
  await server.close();
  await redis.stop();
  delete process.env[KEY_ENV];
  await rm(scratch, { recursive: true, force: true });
});

const endpoint = () => ({ url, model: 'fake', apiKeyEnv: KEY_ENV, maxConcurrency: 2 });

describe('--queue with an endpoint model (real redis-server)', () => {
  it('workers answer through the endpoint the job names, with their own key: the same pope-answers.jsonl and scores as the one-process endpoint run; the key never reaches Redis', async () => {
    const local = join(scratch, 'local');
    const reference = await evaluatePope({ endpoint: endpoint(), data, out: local });
    const localRequests = [...requests.values()].reduce((sum, count) => sum + count, 0);
    requests.clear();
    const workers: RunningWorker[] = await Promise.all([1, 2].map(() => startWorker({ url: redis.url, queueName: 'popeep' })));
    const out = join(scratch, 'queued');
    // What Redis holds while the run goes on (the coordinator removes committed jobs): read every key as it goes.
    const queue = new Queue('popeep', { connection: parseRedisUrl(redis.url) });
    // BullMQ's client is an ioredis connection; only these commands are used
    const client = (await queue.client) as unknown as {
      keys(pattern: string): Promise<string[]>;
      type(name: string): Promise<string>;
      hgetall(name: string): Promise<Record<string, string>>;
      get(name: string): Promise<string | null>;
    };
    const seen: string[] = [];
    let finished = false;
    const watch = (async () => {
      while (!finished) {
        for (const name of await client.keys('*')) {
          const type = await client.type(name);
          if (type === 'hash') seen.push(JSON.stringify(await client.hgetall(name)));
          else if (type === 'string') seen.push((await client.get(name)) ?? '');
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    delayMs = 60;
    let run;
    try {
      run = await evaluatePope({ endpoint: endpoint(), data, out, queue: { url: redis.url, queueName: 'popeep', shardSize: 4, attempts: 1 } });
    } finally {
      finished = true;
      await watch;
      delayMs = 0;
      await Promise.all(workers.map((worker) => worker.close()));
      await queue.close();
    }
    expect(await readFile(join(out, 'pope-answers.jsonl'), 'utf8')).toBe(await readFile(join(local, 'pope-answers.jsonl'), 'utf8'));
    expect(run.splits).toEqual(reference.splits);
    expect(run.splits.some((split) => (split.undetermined ?? 0) > 0)).toBe(true); // the refusals ('bus') are undetermined
    expect(run.asked).toBe(14);
    expect(run.queueSummary).toMatch(/4 job\(s\): 0 already committed, 4 enqueued/);
    // every question was asked (once per job it is in; the one-process run asks each distinct message once)
    expect([...requests.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(localRequests);
    expect([...authorizations]).toEqual([`Bearer ${key}`]);
    // the jobs in Redis named the key's variable, never the key
    const stored = seen.join('\n');
    expect(stored).toContain(`apiKeyEnv\\":\\"${KEY_ENV}`); // inside the job's JSON data
    expect(stored).toContain('"name":"pope-endpoint"');
    expect(stored).not.toContain(key);
    for (const name of await readdir(out)) expect(await readFile(join(out, name), 'utf8'), name).not.toContain(key);
    // a resumed run finds every job committed and asks nothing
    requests.clear();
    const resumed = await evaluatePope({ endpoint: endpoint(), data, out, resume: true, queue: { url: redis.url, queueName: 'popeep', shardSize: 4, attempts: 1 } });
    expect(resumed.asked).toBe(0);
    expect(requests.size).toBe(0);
  }, 60_000);

  it('eval-mllm --queue with an endpoint model: the same answers.jsonl and scores as the one-process endpoint run, a resumed run asks nothing', async () => {
    await writeSynth({ out: join(scratch, 'synth'), seed: 2, pairsPerPattern: 1, pairs: 4, contactSheets: false });
    const mmvp = join(scratch, 'synth', 'MMVP');
    const local = join(scratch, 'mllm-local');
    const reference = await evaluateMllm({ endpoint: endpoint(), data: mmvp, out: local, promptStyle: 'lmms' });
    requests.clear();
    authorizations.clear();
    const workers: RunningWorker[] = await Promise.all([1, 2].map(() => startWorker({ url: redis.url, queueName: 'mllmep' })));
    const out = join(scratch, 'mllm-queued');
    const queue = { url: redis.url, queueName: 'mllmep', shardSize: 3, attempts: 1 };
    let run;
    try {
      run = await evaluateMllm({ endpoint: endpoint(), data: mmvp, out, promptStyle: 'lmms', queue });
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
    expect(await readFile(join(out, 'answers.jsonl'), 'utf8')).toBe(await readFile(join(local, 'answers.jsonl'), 'utf8'));
    expect(run.scores.pairAccuracy).toBe(reference.scores.pairAccuracy);
    expect(run.scores.undetermined).toBe(reference.scores.undetermined);
    expect(run.asked).toBe(8);
    expect(run.queue?.enqueued).toBe(4); // whole pairs: jobs of 2 questions
    expect([...requests.values()].reduce((sum, count) => sum + count, 0)).toBe(8);
    expect([...authorizations]).toEqual([`Bearer ${key}`]);
    for (const name of await readdir(out)) expect(await readFile(join(out, name), 'utf8'), name).not.toContain(key);
    requests.clear();
    const resumed = await evaluateMllm({ endpoint: endpoint(), data: mmvp, out, promptStyle: 'lmms', resume: true, queue });
    expect(resumed.asked).toBe(0);
    expect(requests.size).toBe(0);
  }, 60_000);

  it('refuses an endpoint URL that carries credentials before anything goes to Redis', async () => {
    await expect(evaluatePope({ endpoint: { ...endpoint(), url: url.replace('http://', 'http://user:secret@') }, data, out: join(scratch, 'creds'), queue: { url: redis.url, queueName: 'popeep2' } })).rejects.toThrow(
      /--queue: the endpoint URL carries a user, password, query or fragment/,
    );
    await expect(
      evaluateMllm({ endpoint: { ...endpoint(), url: `${url}?key=secret` }, data: join(scratch, 'synth', 'MMVP'), out: join(scratch, 'creds-mllm'), queue: { url: redis.url, queueName: 'popeep2' } }),
    ).rejects.toThrow(/--queue: the endpoint URL carries a user, password, query or fragment/);
  });
});
