import { cp, mkdtemp, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalRedisServer, type LocalRedisServer } from '@mmvp/study/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCollection } from '../../../packages/mining/src/__fixtures__/make-collection';
import { type Background, startCli, startWorkerProcess, until } from './helpers/distributed';
import { runCli } from './helpers/run-cli';

// A distributed mine (coordinator + `mmvp worker` processes on a real redis-server) must write the
// store and the results that `mmvp mine` without --queue writes.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const modelsRoot = join(repo, 'models');
// loose thresholds: the tiny encoders have random weights (see mine.test.ts)
const settings = ['--clip', join(modelsRoot, 'tiny-clip'), '--dino', join(modelsRoot, 'tiny-dinov2'), '--clip-min', '0.5', '--dino-max', '0.95', '--k', '5', '--shard-size', '2', '--workers', '0'];

let scratch: string;
let images: string;
let reference: string;
const servers: LocalRedisServer[] = [];
const processes: Background[] = [];

/** A fresh redis-server for one test (stopped in afterAll). */
async function redis(): Promise<LocalRedisServer> {
  const server = await startLocalRedisServer();
  servers.push(server);
  return server;
}

function coordinator(url: string, out: string, extra: string[] = []): Background {
  const started = startCli(['mine', ...settings, '--images', images, '--out', out, '--queue', url, ...extra]);
  processes.push(started);
  return started;
}

function worker(url: string, extra: string[] = []): Background {
  const started = startWorkerProcess(url, extra);
  processes.push(started);
  return started;
}

/** Store shards listed in store/manifest.json (0 when there is none yet). */
async function committedShards(out: string): Promise<number> {
  const text = await readFile(join(out, 'store', 'manifest.json'), 'utf8').catch(() => '{"shards":[]}');
  return (JSON.parse(text) as { shards: unknown[] }).shards.length;
}

/** Every file of store/ (manifest and shards, bytes as base64), and the results; summary.json and manifest.json without the durations and summary.json's hash. */
async function runFolder(out: string): Promise<Record<string, unknown>> {
  const files: Record<string, unknown> = { 'store/manifest.json': await readFile(join(out, 'store', 'manifest.json'), 'utf8') };
  for (const name of (await readdir(join(out, 'store', 'shards'))).sort()) files[`store/shards/${name}`] = (await readFile(join(out, 'store', 'shards', name))).toString('base64');
  for (const name of ['pairs.csv', 'errors.csv', 'duplicates.csv', 'contact-sheet.png']) files[name] = (await readFile(join(out, name))).toString('base64');
  const { embedSeconds: _embed, searchSeconds: _search, ...summary } = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
  files['summary.json'] = summary;
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { files: { name: string }[] };
  files['manifest.json'] = manifest.files.filter((file) => file.name !== 'summary.json');
  return files;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-distributed-mine-'));
  images = join(scratch, 'images');
  await makeCollection(images);
  reference = join(scratch, 'one-process');
  const result = await runCli(['mine', ...settings, '--images', images, '--out', reference]);
  expect(result.code, result.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await Promise.allSettled(processes.map((process) => process.stop('SIGKILL')));
  await Promise.allSettled(servers.map((server) => server.stop()));
  await rm(scratch, { recursive: true, force: true });
});

describe('mmvp mine --queue with mmvp worker processes on a real redis-server', () => {
  it('2 workers fill the same store/ and results as the one-process run; --resume after a killed coordinator enqueues only the missing shards', async () => {
    const server = await redis();
    worker(server.url);
    worker(server.url);
    const out = join(scratch, 'distributed');
    const first = coordinator(server.url, out);
    await until(async () => (await committedShards(out)) >= 1, 'a store shard is committed');
    await first.stop('SIGKILL');
    const before = await committedShards(out);
    const total = (JSON.parse(await readFile(join(reference, 'store', 'manifest.json'), 'utf8')) as { shards: unknown[] }).shards.length;
    const resumed = coordinator(server.url, out, ['--resume']);
    expect((await resumed.exited).code, resumed.stderr()).toBe(0);
    // the plan holds the shards the store lacked, numbered as the store shards they become
    expect(resumed.stderr()).toContain(`${total - before} job(s)`);
    expect(await runFolder(out)).toEqual(await runFolder(reference));
  }, 240_000);

  it('a worker whose DINOv2 file differs by one byte is refused every mine job and writes nothing; a right worker then completes the run', async () => {
    const server = await redis();
    const otherModels = join(scratch, 'other-models');
    for (const name of ['tiny-clip', 'tiny-dinov2']) await cp(join(modelsRoot, name), join(otherModels, name), { recursive: true });
    const onnx = join(otherModels, 'tiny-dinov2', 'onnx', 'model.onnx');
    const handle = await open(onnx, 'r+');
    const size = (await stat(onnx)).size;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    await handle.write(Buffer.from([last[0]! ^ 0x01]), 0, 1, size - 1);
    await handle.close();

    const out = join(scratch, 'wrong-model');
    const wrong = worker(server.url, ['--models-root', otherModels]);
    await wrong.waitFor(/waiting for jobs/);
    const run = coordinator(server.url, out);
    await wrong.waitFor(/refused \S+-mine-\d+: model file \S+model\.onnx hashes to/);
    await run.waitFor(/refused job \S+-mine-\d+/);
    expect(await committedShards(out)).toBe(0);
    const right = worker(server.url);
    expect((await run.exited).code, run.stderr()).toBe(0);
    expect(wrong.stderr()).not.toMatch(/: done/);
    expect(right.stderr()).toMatch(/: done/);
    expect(await runFolder(out)).toEqual(await runFolder(reference));
  }, 240_000);
});
