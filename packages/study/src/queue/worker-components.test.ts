import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisUrl } from './queue-settings';
import { startWorker } from '../study-job-kinds';
import { workerComponents, type WorkerEvent } from './start-worker';
import { startLocalRedisServer, type LocalRedisServer } from './test-redis-server';

// A worker imports no code that only a job names: a job in Redis (writable by anyone who reaches it)
// whose config's `use` is a data: URL, an absolute path, ../ or a file: URL is refused before anything
// is imported; the marker file the module would write stays absent.

let redis: LocalRedisServer;
beforeAll(async () => {
  redis = await startLocalRedisServer();
});
afterAll(() => redis.stop());

async function evilModule() {
  const root = await mkdtemp(join(tmpdir(), 'mmvp-worker-components-'));
  const marker = join(root, 'marker');
  const source = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`;
  const evil = join(root, 'evil.mjs');
  await writeFile(evil, source);
  await mkdir(join(root, 'configs'));
  return { root, marker, source, evil };
}

describe('a worker loads only the components it allows', () => {
  it('refuses jobs whose config names a data: URL, an absolute path, ../ or a file: URL; nothing runs', async () => {
    const { root, marker, source, evil } = await evilModule();
    const uses = [`data:text/javascript,${encodeURIComponent(source)}`, evil, join(root, 'configs', '..', 'evil.mjs'), pathToFileURL(evil).href, '@acme/not-allowed'];
    const queueName = 'components';
    const events: WorkerEvent[] = [];
    const worker = await startWorker({ url: redis.url, queueName, refusalDelayMs: 0, onEvent: (event) => events.push(event) });
    const queue = new Queue(queueName, { connection: parseRedisUrl(redis.url) });
    try {
      for (const [shard, use] of uses.entries()) {
        const pipeline = { config: { configFolder: join(root, 'configs'), encoders: { clip: { use, model: root } }, strategy: { name: 'clip' } }, modelsRoot: root, modelFiles: [], modelFilesSha256: '' };
        await queue.add('eval-mllm', { kind: 'eval-mllm', runId: 'attack', shard, pipeline, dataRoot: root, questions: [], promptStyle: 'lmms' } as never, { jobId: `attack-${shard}` });
      }
      const deadline = Date.now() + 20_000;
      const refusedIds = () => new Set(events.flatMap((event) => (event.type === 'job-refused' ? [event.id] : [])));
      while (refusedIds().size < uses.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect([...refusedIds()].sort()).toEqual(uses.map((_, shard) => `attack-${shard}`).sort());
      const reasons = [...new Map(events.flatMap((event) => (event.type === 'job-refused' ? [[event.id, event.reason] as const] : []))).values()]; // a refused job comes back: first reason per job
      expect(reasons).toHaveLength(uses.length);
      for (const reason of reasons) {
        expect(reason).toMatch(
          /^the job's encoders\.clip\.use: component '.*' refused: (URLs \(data:, file:, http:, node:\) are not loaded|this process loads only the components it allows \(@mmvp\/encoder-clip, @mmvp\/encoder-siglip, @mmvp\/encoder-dinov2\))/,
        );
      }
      expect(reasons.filter((reason) => reason.includes('loads only the components it allows'))).toHaveLength(3); // the absolute path, ../ and the package
      expect(events.some((event) => event.type === 'job-done' || event.type === 'job-failed')).toBe(false);
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await worker.close();
    }
    expect(existsSync(marker)).toBe(false);
  }, 40_000);

  it('stops as close() does when its abortSignal fires: it leaves the queue', async () => {
    const queueName = 'aborted';
    const queue = new Queue(queueName, { connection: parseRedisUrl(redis.url) });
    const controller = new AbortController();
    const worker = await startWorker({ url: redis.url, queueName, abortSignal: controller.signal, answerJob: async () => [] });
    try {
      const names = async () => (await queue.getWorkers()).map((entry) => entry['name']);
      expect(await names()).toHaveLength(1);
      controller.abort();
      const deadline = Date.now() + 10_000;
      while ((await names()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await names()).toEqual([]);
    } finally {
      await worker.close();
      await queue.close();
    }
  }, 20_000);

  it('--allow-components: package names as given, a pipeline config allows its own files; paths and URLs are refused', async () => {
    const { root, evil } = await evilModule();
    expect(await workerComponents(undefined)).toEqual({ allow: ['@mmvp/encoder-clip', '@mmvp/encoder-siglip', '@mmvp/encoder-dinov2'] });
    expect(await workerComponents(['@acme/encoder'])).toEqual({ allow: ['@acme/encoder'] });
    const configs = join(root, 'configs');
    await writeFile(join(configs, 'mine.mjs'), 'export default {};\n');
    const configPath = join(configs, 'pipeline.json');
    await writeFile(configPath, JSON.stringify({ encoders: { clip: { use: './mine.mjs', model: '.' } }, adapters: { clip: { type: 'linear', weights: 'w.safetensors' } }, strategy: { name: 'clip' } }));
    expect(await workerComponents([configPath, '@mmvp/encoder-clip'])).toEqual({ allow: [join(configs, 'mine.mjs'), '@mmvp/encoder-clip'], allowFrom: configs });
    await expect(workerComponents([evil])).rejects.toThrow(/--allow-components: '.*evil\.mjs' is a file; allow a component file through the pipeline config \(\.json\) that names it/);
    await expect(workerComponents(['data:text/javascript,1'])).rejects.toThrow(/--allow-components: component 'data:text\/javascript,1' refused: URLs/);
  });

  it('a --models-root or --data-root that is not a folder here fails before connecting', async () => {
    await expect(startWorker({ url: redis.url, modelsRoot: '/nonexistent/models' })).rejects.toThrow('--models-root /nonexistent/models is not a folder on this machine');
    await expect(startWorker({ url: redis.url, dataRoot: '/nonexistent/data' })).rejects.toThrow('--data-root /nonexistent/data is not a folder on this machine');
  });
});
