import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRedisServer, type LocalRedisServer } from '@mmvp/study/testing';
import { runCli } from './helpers/run-cli';
import { answerLines, startCli, startWorkerProcess, until, type Background } from './helpers/distributed';

// A distributed per-ratio sweep (ratio x image-batch jobs, `mmvp worker` processes, a real
// redis-server) must record what `mmvp sweep` without --queue records.
const template = fileURLToPath(new URL('../../../models/zoo/llava-amof-{r}/pipeline.json', import.meta.url));

/** sweep.json without the timings (the only field that depends on when and where work ran). */
async function comparableSweep(folder: string): Promise<unknown> {
  const json = JSON.parse(await readFile(join(folder, 'sweep.json'), 'utf8')) as Record<string, unknown>;
  delete json['timings'];
  return json;
}

let scratch: string;
let data: string;
let reference: string;
let server: LocalRedisServer;
const processes: Background[] = [];
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-distributed-sweep-'));
  expect((await runCli(['synth', '--out', join(scratch, 'synth'), '--pairs', '20', '--pairs-per-pattern', '1'])).code).toBe(0);
  data = join(scratch, 'synth', 'MMVP');
  reference = join(scratch, 'one-process');
  const result = await runCli(['sweep', '--pipeline', template, '--ratios', '0,0.5,1', '--data', data, '--out', reference]);
  expect(result.code, result.stderr).toBe(0);
  server = await startLocalRedisServer();
}, 120_000);
afterAll(async () => {
  await Promise.allSettled(processes.map((process) => process.stop('SIGKILL')));
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('mmvp sweep --queue (per-ratio protocol) with mmvp worker processes on a real redis-server', () => {
  it('2 workers record the same sweep-journal.jsonl and answers.jsonl and score the same as one process; --resume after a killed coordinator', async () => {
    const workers = [startWorkerProcess(server.url), startWorkerProcess(server.url)];
    processes.push(...workers);
    const out = join(scratch, 'distributed');
    const run = (extra: string[] = []) => {
      const started = startCli(['sweep', '--pipeline', template, '--ratios', '0,0.5,1', '--data', data, '--out', out, '--queue', server.url, '--shard-size', '1', ...extra]);
      processes.push(started);
      return started;
    };
    const first = run();
    // the journal's first line is the identity; wait for one committed job's answers after it
    await until(async () => (await answerLines(join(out, 'sweep-journal.jsonl'))).length >= 2, 'a job is committed');
    await first.stop('SIGKILL');
    const resumed = run(['--resume']);
    expect((await resumed.exited).code, resumed.stderr()).toBe(0);
    expect(resumed.stderr()).toMatch(/15 job\(s\): [1-9]\d* already committed/); // 3 ratios x 5 batches of 8 images
    for (const name of ['sweep-journal.jsonl', 'answers.jsonl']) expect(await readFile(join(out, name), 'utf8')).toBe(await readFile(join(reference, name), 'utf8'));
    expect(await comparableSweep(out)).toEqual(await comparableSweep(reference));
  }, 180_000);
});
