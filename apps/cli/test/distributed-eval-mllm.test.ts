import { cp, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRedisServer, type LocalRedisServer } from '@mmvp/study/testing';
import { runCli } from './helpers/run-cli';
import { answerLines, comparableScores, startCli, startWorkerProcess, until, type Background } from './helpers/distributed';

// A distributed eval-mllm (coordinator + `mmvp worker` processes on a real redis-server) must write
// what the one-process run writes: the reference is `mmvp eval-mllm` without --queue.
const tinyPipeline = fileURLToPath(new URL('../../../configs/pipelines/tiny-clip.json', import.meta.url));
const modelsRoot = fileURLToPath(new URL('../../../models/', import.meta.url)).replace(/\/$/, '');

let scratch: string;
let data: string;
let reference: string;
let referenceAnswers: string;
const servers: LocalRedisServer[] = [];
const processes: Background[] = [];

/** A fresh redis-server for one test (stopped in afterAll). */
async function redis(appendOnly = false): Promise<LocalRedisServer> {
  const server = await startLocalRedisServer({ appendOnly });
  servers.push(server);
  return server;
}

function worker(url: string, extra: readonly string[] = []): Background {
  const started = startWorkerProcess(url, extra);
  processes.push(started);
  return started;
}

function coordinator(url: string, out: string, extra: readonly string[] = []): Background {
  const started = startCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', data, '--out', out, '--queue', url, '--shard-size', '4', ...extra]);
  processes.push(started);
  return started;
}

async function expectSameAsOneProcess(out: string): Promise<void> {
  const answers = await readFile(join(out, 'answers.jsonl'), 'utf8');
  expect(answers).toBe(referenceAnswers); // sorted by question id on completion: byte-identical
  expect(await comparableScores(out)).toEqual(await comparableScores(reference));
  for (const name of ['graded.csv', 'scores.csv']) expect(await readFile(join(out, name), 'utf8')).toBe(await readFile(join(reference, name), 'utf8'));
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-distributed-'));
  data = join(scratch, 'synth');
  expect((await runCli(['synth', '--out', data, '--pairs', '30', '--pairs-per-pattern', '1'])).code).toBe(0);
  data = join(data, 'MMVP');
  reference = join(scratch, 'one-process');
  const result = await runCli(['eval-mllm', '--pipeline', tinyPipeline, '--data', data, '--out', reference]);
  expect(result.code, result.stderr).toBe(0);
  referenceAnswers = await readFile(join(reference, 'answers.jsonl'), 'utf8');
  expect(referenceAnswers.trim().split('\n')).toHaveLength(60);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(processes.map((process) => process.stop('SIGKILL')));
  await Promise.allSettled(servers.map((server) => server.stop()));
  await rm(scratch, { recursive: true, force: true });
});

describe('mmvp eval-mllm --queue with mmvp worker processes on a real redis-server', () => {
  it('--queue-name a:b fails in one line naming --queue-name, before anything is written (eval-mllm, pope, worker) (#31.8)', async () => {
    const out = join(scratch, 'bad-queue-name');
    for (const args of [
      ['eval-mllm', '--pipeline', tinyPipeline, '--data', data, '--out', out, '--queue', 'redis://127.0.0.1:1', '--queue-name', 'a:b'],
      ['pope', '--pipeline', tinyPipeline, '--data', data, '--out', out, '--queue', 'redis://127.0.0.1:1', '--queue-name', 'a:b'],
      ['worker', '--queue', 'redis://127.0.0.1:1', '--queue-name', 'a:b'],
    ]) {
      const result = await runCli(args);
      expect(result.code, args[0]).toBe(1);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toMatch(/'a:b' is not a valid queue name \(--queue-name\)/);
      expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
      await expect(stat(out)).rejects.toThrow(); // no folder, no run-identity.json
    }
  });

  it('a coordinator and 3 workers write the same answers.jsonl, scores and graded.csv as the one-process run', async () => {
    const server = await redis();
    const workers = [worker(server.url), worker(server.url), worker(server.url)];
    await Promise.all(workers.map((started) => started.waitFor(/waiting for jobs/)));
    const out = join(scratch, 'three-workers');
    const run = coordinator(server.url, out);
    expect((await run.exited).code, run.stderr()).toBe(0);
    await expectSameAsOneProcess(out);
    expect(run.stderr()).toMatch(/15 job\(s\): 0 already committed, 15 enqueued, 0 adopted/);
    // every job answered exactly once, by one of the workers
    const done = workers.flatMap((started) => [...started.stderr().matchAll(/(\S+-eval-mllm-\d+): done/g)].map((match) => match[1]));
    expect(done.sort()).toEqual([...new Set(done)].sort());
    expect(done).toHaveLength(15);
    // each worker loaded its pipeline once and kept it warm for every later job
    for (const started of workers) for (const match of started.stderr().matchAll(/done in [\d.]+ s \((\d+) pipeline\(s\) loaded\)/g)) expect(match[1]).toBe('1');
  }, 180_000);

  it('a worker SIGKILLed mid-job: its job is re-run by another (stalled-job detection), no answer missing or doubled', async () => {
    const server = await redis();
    const out = join(scratch, 'killed-worker');
    const doomed = worker(server.url);
    await doomed.waitFor(/waiting for jobs/);
    const run = coordinator(server.url, out);
    // its first job loads the pipeline before answering: kill it while that job is in hand
    const [, jobInHand] = await doomed.waitFor(/: (\S+-eval-mllm-\d+): \d+ question\(s\)/);
    await doomed.stop('SIGKILL');
    expect(doomed.stderr()).not.toMatch(new RegExp(`${jobInHand}: done`));
    const rescuer = worker(server.url);
    expect((await run.exited).code, run.stderr()).toBe(0);
    expect(rescuer.stderr()).toMatch(new RegExp(`${jobInHand}: done`));
    await expectSameAsOneProcess(out);
  }, 180_000);

  it('a worker whose model files differ is refused every job and writes nothing; a right worker then completes the run', async () => {
    const server = await redis();
    // the same models, one weight changed by one byte
    const otherModels = join(scratch, 'other-models');
    for (const name of ['tiny-clip', 'tiny-llama', 'tiny-mof']) await cp(join(modelsRoot, name), join(otherModels, name), { recursive: true });
    const projector = join(otherModels, 'tiny-mof', 'llava-mm_projector.safetensors');
    const handle = await open(projector, 'r+');
    const size = (await stat(projector)).size;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    await handle.write(Buffer.from([last[0]! ^ 0x01]), 0, 1, size - 1);
    await handle.close();

    const out = join(scratch, 'wrong-model');
    const wrong = worker(server.url, ['--models-root', otherModels]);
    await wrong.waitFor(/waiting for jobs/);
    const run = coordinator(server.url, out);
    await wrong.waitFor(/refused \S+-eval-mllm-\d+: model file \S+llava-mm_projector\.safetensors hashes to/);
    await run.waitFor(/refused job \S+-eval-mllm-\d+/);
    expect(await answerLines(join(out, 'answers.jsonl'))).toEqual([]);

    const right = worker(server.url, ['--models-root', modelsRoot]);
    expect((await run.exited).code, run.stderr()).toBe(0);
    expect(wrong.stderr()).not.toMatch(/: done/);
    expect(right.stderr()).toMatch(/: done/);
    await expectSameAsOneProcess(out);
  }, 180_000);

  it('--resume after the coordinator was killed commits what workers finished meanwhile and enqueues only what is missing', async () => {
    const server = await redis();
    const out = join(scratch, 'killed-coordinator');
    const answersFile = join(out, 'answers.jsonl');
    const first = coordinator(server.url, out);
    const busy = worker(server.url);
    await until(async () => (await answerLines(answersFile)).length >= 8, 'the coordinator committed two jobs');
    await first.stop('SIGKILL');
    // shards are 4 questions (2 whole pairs) in question order: shard k holds questions 4k+1..4k+4
    const committed = new Set((await answerLines(answersFile)).map((line) => (JSON.parse(line) as { question_id: number }).question_id));
    const fullShards = Array.from({ length: 15 }, (_, shard) => shard).filter((shard) => [1, 2, 3, 4].every((offset) => committed.has(4 * shard + offset))).length;
    expect(fullShards).toBeGreaterThanOrEqual(2);

    const resumed = coordinator(server.url, out, ['--resume']);
    expect((await resumed.exited).code, resumed.stderr()).toBe(0);
    const [, alreadyCommitted, enqueued, adopted] = /15 job\(s\): (\d+) already committed, (\d+) enqueued, (\d+) adopted/.exec(resumed.stderr())!.map(Number);
    expect(alreadyCommitted).toBe(fullShards);
    expect(enqueued! + adopted!).toBe(15 - fullShards); // nothing committed is enqueued again
    await expectSameAsOneProcess(out);
    await busy.stop('SIGINT');
  }, 180_000);

  it('Redis killed and restarted mid-run (AOF on): the run completes, or fails with a clear message and --resume completes it; never a silent gap', async () => {
    const server = await redis(true);
    const out = join(scratch, 'redis-restart');
    const answersFile = join(out, 'answers.jsonl');
    worker(server.url);
    const run = coordinator(server.url, out, ['--shard-size', '2']);
    await until(async () => (await answerLines(answersFile)).length >= 2, 'the first job is committed');
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await server.start();
    const exit = await run.exited;
    if (exit.code !== 0) {
      expect(run.stderr()).toMatch(/DistributedRunError: .*(Redis|job)/);
      const partial = await answerLines(answersFile);
      expect(new Set(partial).size).toBe(partial.length);
      for (const line of partial) expect(referenceAnswers).toContain(line);
      const resumed = coordinator(server.url, out, ['--shard-size', '2', '--resume']);
      expect((await resumed.exited).code, resumed.stderr()).toBe(0);
    }
    await expectSameAsOneProcess(out);
  }, 180_000);

  it('SIGINT on a worker finishes the job in hand, then exits; SIGTERM puts it back in the queue at once for another worker', async () => {
    const server = await redis();
    const out = join(scratch, 'signals');
    const run = coordinator(server.url, out);

    const interrupted = worker(server.url);
    const [, finishing] = await interrupted.waitFor(/: (\S+-eval-mllm-\d+): \d+ question\(s\)/);
    interrupted.child.kill('SIGINT');
    expect((await interrupted.exited).code).toBe(0);
    expect(interrupted.stderr()).toMatch(new RegExp(`${finishing}: done[^]*stopped`));

    const terminated = worker(server.url);
    const [, returned] = await terminated.waitFor(/: (\S+-eval-mllm-\d+): \d+ question\(s\)/);
    terminated.child.kill('SIGTERM');
    expect((await terminated.exited).code).toBe(0);
    expect(terminated.stderr()).toMatch(new RegExp(`${returned}: returned to the queue`));
    expect(terminated.stderr()).not.toMatch(new RegExp(`${returned}: done`));

    const last = worker(server.url);
    expect((await run.exited).code, run.stderr()).toBe(0);
    expect(last.stderr()).toMatch(new RegExp(`${returned}: done`));
    await expectSameAsOneProcess(out);
  }, 180_000);
});
